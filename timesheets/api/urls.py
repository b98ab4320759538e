from __future__ import annotations

from django.urls import path

from timesheets.api import approval_views, compat, timer_views, views, week_copy_views, week_views

api_urlpatterns = [
    path("timesheets", views.EntryListCreate.as_view(), name="entry-list"),
    path("timesheets/upload", views.EntryUpload.as_view(), name="entry-upload"),
    path("timesheets/<int:entry_id>", views.EntryDetail.as_view(), name="entry-detail"),
    path("weeks", week_views.WeekList.as_view(), name="week-list"),
    path("weeks/<str:monday>/submit", week_views.WeekSubmit.as_view(), name="week-submit"),
    path("weeks/<str:monday>/withdraw", week_views.WeekWithdraw.as_view(), name="week-withdraw"),
    path("weeks/<str:monday>/copy", week_copy_views.WeekCopy.as_view(), name="week-copy"),
    path("approvals/weeks", approval_views.WeekApprovalList.as_view(), name="week-approval-list"),
    path("approvals/weeks/<int:week_id>", approval_views.WeekApprovalDecision.as_view(), name="week-approval-decision"),
    path("approvals", approval_views.ApprovalList.as_view(), name="approval-list"),
    path("approvals/<int:entry_id>", approval_views.ApprovalDecision.as_view(), name="approval-decision"),
    path("timer", timer_views.TimerDetail.as_view(), name="timer"),
    path("timer/stop", timer_views.TimerStop.as_view(), name="timer-stop"),
    path("me", views.Me.as_view(), name="me"),
    path("projects", views.ProjectList.as_view(), name="project-list"),
]

compat_urlpatterns = [
    path("timesheets", compat.CompatTimesheets.as_view(), name="compat-timesheets"),
    path("timesheets/upload", compat.CompatUpload.as_view(), name="compat-upload"),
    path("approvals", compat.CompatApprovals.as_view(), name="compat-approvals"),
    path("approvals/<int:entry_id>", compat.CompatApprovalDecision.as_view(), name="compat-approval-decision"),
]

from __future__ import annotations

from django.urls import path

from timesheets.api import compat, views

api_urlpatterns = [
    path("timesheets", views.EntryListCreate.as_view(), name="entry-list"),
    path("timesheets/upload", views.EntryUpload.as_view(), name="entry-upload"),
    path("timesheets/<int:entry_id>", views.EntryDetail.as_view(), name="entry-detail"),
    path("approvals", views.ApprovalList.as_view(), name="approval-list"),
    path("approvals/<int:entry_id>", views.ApprovalDecision.as_view(), name="approval-decision"),
    path("me", views.Me.as_view(), name="me"),
    path("projects", views.ProjectList.as_view(), name="project-list"),
]

compat_urlpatterns = [
    path("timesheets", compat.CompatTimesheets.as_view(), name="compat-timesheets"),
    path("timesheets/upload", compat.CompatUpload.as_view(), name="compat-upload"),
    path("approvals", compat.CompatApprovals.as_view(), name="compat-approvals"),
    path("approvals/<int:entry_id>", compat.CompatApprovalDecision.as_view(), name="compat-approval-decision"),
]

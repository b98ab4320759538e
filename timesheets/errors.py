"""Domain errors raised by timesheets/services/.

Field problems are Django `ValidationError`s keyed by field name; the errors
below are the rules that are not about one field. The API's exception handler
turns each into a 4xx with a JSON body; the admin shows its message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "rule_violation"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EntryLocked(DomainError):
    code = "entry_locked"
    status = 409


class SelfApproval(DomainError):
    code = "self_approval"
    status = 403


class PersonRequired(DomainError):
    """Only a person may do this: a machine client (a Client Credentials token) acts for nobody."""

    code = "person_required"
    status = 403


class AlreadyDecided(DomainError):
    code = "already_decided"
    status = 409


class WeekLocked(DomainError):
    """The week is submitted or approved: its entries cannot be created, changed or deleted."""

    code = "week_locked"
    status = 409


class WeekIncomplete(DomainError):
    """The week cannot be submitted as it is (no time, or entries still rejected)."""

    code = "week_incomplete"
    status = 400


class WeekNotSubmitted(DomainError):
    """Withdrawing or deciding needs a submitted week; with REQUIRE_WEEK_SUBMISSION, so does approving an entry."""

    code = "week_not_submitted"
    status = 409


class UploadRejected(DomainError):
    """A batch upload wrote nothing; `items` says which entries were wrong and why."""

    code = "upload_rejected"
    status = 400

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(items)} of the uploaded entries are invalid; nothing was written.")
        self.items = items


class PreconditionFailed(DomainError):
    """An `If-Match` names another version of the entry than the stored one: nothing was written.

    `entry` is the entry as it is now, for the API to show as `current`.
    """

    code = "precondition_failed"
    status = 412

    def __init__(self, message: str, *, entry: Any) -> None:
        super().__init__(message)
        self.entry = entry


class TimerRunning(DomainError):
    """Another timer (another uuid) runs for this person; `timer` is that one."""

    code = "timer_running"
    status = 409

    def __init__(self, message: str, *, timer: Any) -> None:
        super().__init__(message)
        self.timer = timer


class TimerNotFound(DomainError):
    code = "timer_not_found"
    status = 404


class TimerStopped(DomainError):
    """Starting a timer whose uuid already names an entry: that timer was stopped before."""

    code = "timer_stopped"
    status = 409

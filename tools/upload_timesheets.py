#!/usr/bin/env python3
"""Upload timesheet entries from a CSV or JSON Lines file to the ABC Timesheets API.

A standalone client for integrators (needs only `requests` and `tqdm`, see
tools/requirements.txt; it does not import Django). It gets an access token with
the OAuth 2.0 Client Credentials grant (reused until it expires), sends the file
in chunks to POST /api/timesheets/upload, retries network errors and 5xx
answers with backoff, and prints a summary: created, already present, rejected
(with the line number and the reason).

Safe to re-run: every row carries an idempotency key derived from its content
(and, for rows that are exactly alike, which occurrence it is), so sending the
same file again, or again after an interrupted run, creates nothing twice.

    export TIMESHEETS_CLIENT_SECRET=...   # better than --client-secret, which `ps` shows
    tools/upload_timesheets.py --api http://127.0.0.1:8000 --issuer http://127.0.0.1:8000/ \\
        --client-id batch-client entries.csv

Input: CSV with the header `user_id,date,project,hours,notes` (notes optional; an
optional `uuid` column overrides the derived key), or JSON Lines (one object per
line) with the same keys. `user_id` is the employee's email or employee number,
`project` a project name (or id). Exit status: 0 all rows present, 1 some rows
rejected or not sent, 2 bad usage or input file, 3 the API or issuer failed.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from tqdm import tqdm

DEFAULT_AUDIENCE = "https://api.exampleco.com/timesheets"
MAX_CHUNK = 1000  # the API accepts at most this many entries per request
# Fixed namespace: the same row always gets the same key, on any machine, in any run.
ROW_NAMESPACE = uuid.UUID("0f0c6a4e-3c1b-5b8e-9d2a-7e4f1c2b9a10")
FIELDS = ("user_id", "date", "project", "hours", "notes")
REQUIRED = ("user_id", "date", "project", "hours")
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
USER_AGENT = "abc-timesheets-upload/1.0"

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class UploadError(Exception):
    """The API or the issuer failed in a way retrying did not fix."""

    summary: Summary | None = None


class InputError(Exception):
    """The input file cannot be read at all."""


# --- reading rows --------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    item: dict[str, Any] | None  # None: the line could not be read as an entry
    problem: str = ""


def _canonical_hours(value: Any) -> str:
    try:
        return format(Decimal(str(value).strip()).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value).strip()


def row_key(item: dict[str, Any], occurrence: int) -> str:
    """The row's idempotency key: a UUID5 over its canonical content and its occurrence.

    Content, not position: re-running the same file (or one with rows added,
    removed or reordered elsewhere) maps each row to the key it had before.
    `occurrence` counts earlier rows of the file with the same content, so two
    legitimately identical rows (two 4-hour blocks on one day) stay two entries.
    """
    canonical = [
        str(item.get("user_id", "")).strip().lower(),
        str(item.get("date", "")).strip(),
        str(item.get("project", "")).strip().lower(),
        _canonical_hours(item.get("hours", "")),
        str(item.get("notes") or "").strip(),
        occurrence,
    ]
    return str(uuid.uuid5(ROW_NAMESPACE, json.dumps(canonical, ensure_ascii=False)))


def _read_csv(handle: Any) -> Iterator[Row]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InputError(f"the CSV header lacks {', '.join(missing)} (expected: {','.join(FIELDS)})")
    last_line = reader.line_num
    for values in reader:
        line, last_line = last_line + 1, reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) > len(names):
            yield Row(line, None, f"has {len(values)} fields, the header names {len(names)}")
            continue
        record = dict(zip(names, values, strict=False))
        item = {name: record.get(name, "").strip() for name in FIELDS if name in record}
        item.setdefault("notes", "")
        if record.get("uuid", "").strip():
            item["uuid"] = record["uuid"].strip()
        yield Row(line, item)


def _read_jsonl(handle: Any) -> Iterator[Row]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Row(line, None, f"is not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield Row(line, None, "is not a JSON object")
            continue
        item = {name: record[name] for name in FIELDS if name in record}
        item.setdefault("notes", "")
        if record.get("uuid"):
            item["uuid"] = record["uuid"]
        yield Row(line, item)


def read_rows(path: str, fmt: str) -> Iterator[Row]:
    """Rows of the file, each with its line number and idempotency key."""
    if fmt == "auto":
        fmt = "jsonl" if path.lower().endswith((".jsonl", ".ndjson", ".json")) else "csv"
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"cannot open {path}: {exc.strerror}") from None
    seen: dict[str, int] = {}
    with handle:
        for row in _read_csv(handle) if fmt == "csv" else _read_jsonl(handle):
            if row.item is not None and "uuid" not in row.item:
                content = row_key(row.item, 0)
                occurrence = seen.get(content, 0)
                seen[content] = occurrence + 1
                row.item["uuid"] = row_key(row.item, occurrence)
            yield row


# --- tokens ----------------------------------------------------------------------------------------


@dataclass
class TokenSource:
    """Client Credentials tokens, fetched once and reused until shortly before they expire."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    audience: str
    session: requests.Session
    timeout: float = 30
    _token: str = field(default="", init=False, repr=False)
    _expires_at: float = field(default=0.0, init=False)
    _endpoint: str = field(default="", init=False)
    fetched: int = field(default=0, init=False)

    def token_endpoint(self) -> str:
        """From the issuer's discovery document; Auth0's /oauth/token if it has none."""
        if not self._endpoint:
            base = self.issuer.rstrip("/")
            try:
                response = self.session.get(f"{base}/.well-known/openid-configuration", timeout=self.timeout)
                endpoint = response.json().get("token_endpoint") if response.status_code == 200 else None
            except (requests.RequestException, ValueError):
                endpoint = None
            self._endpoint = endpoint or f"{base}/oauth/token"
        return self._endpoint

    def get(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        return self.refresh()

    def refresh(self) -> str:
        data = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "audience": self.audience,
        }
        try:
            response = self.session.post(self.token_endpoint(), data=data, timeout=self.timeout)
        except requests.RequestException as exc:
            raise UploadError(f"the issuer cannot be reached: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            reason = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
            raise UploadError(f"the issuer refused the client credentials ({response.status_code}: {reason or '?'})")
        self.fetched += 1
        self._token = body["access_token"]
        lifetime = float(body.get("expires_in") or 300)
        # Renew a little early so a token never expires between check and use.
        self._expires_at = time.monotonic() + max(lifetime - min(60.0, lifetime / 10), 1.0)
        return self._token

    def forget(self) -> None:
        self._token = ""


# --- uploading -------------------------------------------------------------------------------------


@dataclass
class Rejection:
    line: int
    reason: str


@dataclass
class Summary:
    rows: int = 0
    created: int = 0
    existing: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    not_sent: list[int] = field(default_factory=list)  # good rows in a chunk that was refused
    requests: int = 0
    retries: int = 0
    tokens: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in dataclasses.asdict(self).items() if k not in ("rejected",)},
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected],
        }


def _reason(fields: dict[str, Any]) -> str:
    parts = []
    for name, messages in fields.items():
        text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        parts.append(f"{name}: {text}")
    return "; ".join(parts) or "rejected"


@dataclass
class Uploader:
    api: str
    tokens: TokenSource
    session: requests.Session
    retries: int = 5
    backoff: float = 0.5
    timeout: float = 120

    def post_chunk(self, items: list[dict[str, Any]], summary: Summary) -> requests.Response:
        """POST one chunk; network errors, 429 and 5xx are retried with exponential backoff."""
        url = self.api.rstrip("/") + "/api/timesheets/upload"
        attempt = 0
        renewed = False
        while True:
            summary.requests += 1
            try:
                response = self.session.post(
                    url,
                    json=items,
                    headers={"Authorization": f"Bearer {self.tokens.get()}", "User-Agent": USER_AGENT},
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                failure, wait = f"{type(exc).__name__}", None
            else:
                if response.status_code == 401 and not renewed:
                    renewed = True  # expired or revoked early: one fresh token, then give up
                    self.tokens.forget()
                    continue
                if response.status_code not in RETRYABLE_STATUS:
                    return response
                failure, wait = f"HTTP {response.status_code}", _retry_after(response)
            if attempt >= self.retries:
                raise UploadError(f"the API kept failing ({failure}) after {attempt + 1} attempts")
            delay = wait if wait is not None else self.backoff * (2**attempt) * (0.5 + random.random())
            attempt += 1
            summary.retries += 1
            time.sleep(min(delay, 60.0))

    def upload(self, rows: list[Row], summary: Summary) -> None:
        """One chunk: unreadable rows keep the whole chunk back, like the API's all-or-nothing."""
        unreadable = [row for row in rows if row.item is None]
        if unreadable:
            summary.rejected.extend(Rejection(row.line, f"line {row.problem}") for row in unreadable)
            summary.not_sent.extend(row.line for row in rows if row.item is not None)
            return
        response = self.post_chunk([row.item for row in rows], summary)  # type: ignore[misc]
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in (200, 201) and isinstance(body, dict):
            summary.created += int(body.get("created", 0))
            summary.existing += int(body.get("existing", 0))
            return
        if response.status_code == 400 and isinstance(body, dict) and body.get("error") == "upload_rejected":
            bad: dict[int, str] = {}
            for problem in body.get("items") or []:
                index = problem.get("index")
                if isinstance(index, int) and 0 <= index < len(rows):
                    bad[index] = _reason(problem.get("fields") or {})
            for index, row in enumerate(rows):
                if index in bad:
                    summary.rejected.append(Rejection(row.line, bad[index]))
                else:
                    summary.not_sent.append(row.line)
            return
        description = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
        if response.status_code in (401, 403):
            raise UploadError(f"the API refused the token ({response.status_code}: {description or '?'})")
        reason = f"the API answered {response.status_code}: {description or 'no details'}"
        summary.rejected.extend(Rejection(row.line, reason) for row in rows)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(args: argparse.Namespace, *, out: Any = sys.stderr) -> Summary:
    session = requests.Session()
    tokens = TokenSource(
        issuer=args.issuer,
        client_id=args.client_id,
        client_secret=args.client_secret,
        audience=args.audience,
        session=session,
    )
    uploader = Uploader(api=args.api, tokens=tokens, session=session, retries=args.retries, backoff=args.backoff)
    summary = Summary()
    tokens.get()  # fail early on bad credentials, before reading the file
    with tqdm(desc="Uploading", unit="row", disable=args.quiet or None, file=out) as progress:
        for chunk in chunks(read_rows(args.file, args.format), args.chunk_size):
            summary.rows += len(chunk)
            try:
                uploader.upload(chunk, summary)
            except UploadError as exc:
                summary.not_sent.extend(row.line for row in chunk if row.item is not None)
                exc.summary = summary
                raise
            progress.update(len(chunk))
    summary.tokens = tokens.fetched
    summary.rejected.sort(key=lambda r: r.line)
    return summary


def print_summary(summary: Summary, out: Any = sys.stdout) -> None:
    print(f"rows read:        {summary.rows}", file=out)
    print(f"created:          {summary.created}", file=out)
    print(f"already present:  {summary.existing}", file=out)
    print(f"rejected:         {len(summary.rejected)}", file=out)
    for rejection in summary.rejected:
        print(f"  line {rejection.line}: {rejection.reason}", file=out)
    if summary.not_sent:
        print(
            f"not written:      {len(summary.not_sent)} good rows in the same chunks as rejected ones "
            "(fix the rejected rows and run again; rows already uploaded are not duplicated)",
            file=out,
        )


# --- command line ---------------------------------------------------------------------------------


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="upload_timesheets.py",
        description="Upload timesheet entries (CSV or JSON Lines) to the ABC Timesheets API.",
        epilog="Each option can come from the environment variable named in brackets.",
    )
    parser.add_argument("file", metavar="FILE", help="CSV (user_id,date,project,hours,notes) or JSON Lines")
    parser.add_argument("--api", default=_env("TIMESHEETS_API_URL"), help="API base URL [TIMESHEETS_API_URL]")
    parser.add_argument("--issuer", default=_env("TIMESHEETS_ISSUER"), help="token issuer URL [TIMESHEETS_ISSUER]")
    parser.add_argument("--client-id", default=_env("TIMESHEETS_CLIENT_ID"), help="[TIMESHEETS_CLIENT_ID]")
    parser.add_argument(
        "--client-secret",
        default=_env("TIMESHEETS_CLIENT_SECRET"),
        help="[TIMESHEETS_CLIENT_SECRET] (prefer the variable: command lines are visible to other users)",
    )
    parser.add_argument(
        "--audience",
        default=_env("TIMESHEETS_AUDIENCE", DEFAULT_AUDIENCE),
        help=f"API identifier [TIMESHEETS_AUDIENCE] (default {DEFAULT_AUDIENCE})",
    )
    parser.add_argument("--format", choices=("auto", "csv", "jsonl"), default="auto", help="default: by extension")
    parser.add_argument("--chunk-size", type=int, default=500, help=f"entries per request, 1-{MAX_CHUNK} (500)")
    parser.add_argument("--retries", type=int, default=5, help="retries per chunk on network errors and 5xx (5)")
    parser.add_argument("--backoff", type=float, default=0.5, help="first retry delay in seconds, doubling (0.5)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    missing = [
        flag
        for flag, value in (
            ("--api", args.api),
            ("--issuer", args.issuer),
            ("--client-id", args.client_id),
            ("--client-secret", args.client_secret),
            ("--audience", args.audience),
        )
        if not value
    ]
    if missing:
        parser.error(f"missing {', '.join(missing)} (or the matching environment variables)")
    if not 1 <= args.chunk_size <= MAX_CHUNK:
        parser.error(f"--chunk-size must be between 1 and {MAX_CHUNK}")
    if args.retries < 0 or args.backoff < 0:
        parser.error("--retries and --backoff must not be negative")
    for flag, url in (("--api", args.api), ("--issuer", args.issuer)):
        if not url.startswith(("https://", "http://")):
            parser.error(f"{flag} must be an http(s) URL")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        summary = run(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UploadError as exc:
        if exc.summary is not None:
            print("Stopped early. Rows before the failing chunk are uploaded; running again is safe.", file=sys.stderr)
            print_summary(exc.summary, out=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2))
    else:
        print_summary(summary)
    return EXIT_REJECTED if summary.rejected or summary.not_sent else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

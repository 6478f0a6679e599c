"""The ``tutti`` command: init-db, create-user, import, export, history, verify-log,
sign-log, members, share, unshare, serve, voicing, class (create, roster) and assignment
(create, status).

Top-level imports are stdlib only and every command imports what it needs when it
runs: ``serve`` must monkey-patch eventlet before Flask, SQLAlchemy or psycopg2 load.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .editing import CommittedEdit, EditLog

EXPORT_FORMATS = {"musicxml": ".musicxml", "mxl": ".mxl", "midi": ".mid"}


class CommandError(Exception):
    """A user-facing failure: printed as ``tutti: <message>``, exit status 1."""


def _settings(args: argparse.Namespace, *, existing_log_key: bool = False) -> Any:
    """Settings for a command; ``existing_log_key``: the log key must already exist
    (checking a log with a key made up on the spot would only report noise)."""
    from .config import Settings, instance_dir, log_key

    overrides: dict[str, Any] = {"secret_key": "unused-by-the-cli"}
    if args.database_url:
        overrides["database_url"] = args.database_url
    if existing_log_key:
        key = log_key(create=False)
        if key is None:
            raise CommandError(
                f"no log key: set TUTTI_LOG_KEY or run where {instance_dir() / 'log_key'}"
                " (the server's key) is"
            )
        overrides["log_key"] = key
    return Settings.from_env(overrides)


def _service(
    args: argparse.Namespace, *, migrate: bool = True, existing_log_key: bool = False
) -> EditLog:
    from .editing import EditLog

    settings = _settings(args, existing_log_key=existing_log_key)
    return EditLog.open(
        settings.database_url,
        migrate=migrate,
        snapshot_every=settings.snapshot_every,
        log_key=settings.log_key,
    )


def _optional(module: str, what: str) -> Any:
    """Import a module written by another part of the project, with a clear error."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name and module.startswith(exc.name):
            raise CommandError(f"{what} is not available ({module} is missing)") from exc
        raise


def _safe_url(url: str) -> str:
    from .persistence import display_url

    return display_url(url)


# --- commands ------------------------------------------------------------------------


def cmd_init_db(args: argparse.Namespace) -> int:
    from .persistence import init_db

    url = _settings(args).database_url
    init_db(url)
    print(f"database ready: {_safe_url(url)}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from .auth.passwords import hash_password
    from .config import Settings
    from .persistence import NameTaken

    password = args.password
    if password is None:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"Password for {args.name}: ")
            if getpass.getpass("Again: ") != password:
                raise CommandError("the passwords differ")
    if len(password) < 4:
        raise CommandError("a password needs at least 4 characters")
    from .persistence import Users

    service = _service(args)
    try:
        user_id = Users(service.db).create_user(
            args.name,
            hash_password(password, Settings.from_env({"secret_key": "-"}).password_method),
            args.display_name,
            args.colour,
        )
    except NameTaken:
        raise CommandError(f"user {args.name!r} already exists") from None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(user_id)
    return 0


def _user_id(service: EditLog, name: str) -> int:
    from .persistence import Users

    user = Users(service.db).user_by_name(name)
    if user is None:
        raise CommandError(f"no user {name!r} (create one with: tutti create-user {name})")
    return int(user["id"])


def cmd_import(args: argparse.Namespace) -> int:
    from .score import InvalidOp

    formats = _optional("server.formats", "importing")
    path = Path(args.file)
    settings = _settings(args)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    if size > settings.max_import_bytes:
        raise CommandError(f"{path} is {size} bytes; the limit is {settings.max_import_bytes}")
    service = _service(args)
    owner = _user_id(service, args.owner)
    try:
        result = formats.import_score(
            path.read_bytes(), path.name, max_bytes=settings.max_import_bytes
        )
    except formats.FormatError as exc:
        raise CommandError(f"cannot import {path.name}: {exc.message}") from None
    doc, report = result.doc, list(result.report)
    title = args.title or doc.get("title") or path.stem
    # The import is an attributed edit like any other: it can be seen and reverted.
    try:
        score_id, _ = service.import_score(owner, title, doc, filename=path.name, report=report)
    except InvalidOp as exc:
        raise CommandError(f"the imported score is not valid: {exc.message}") from None
    for line in report:
        print(line, file=sys.stderr)
    print(score_id)
    return 0


def _load_doc(service: EditLog, score_id: str, seq: int | None) -> dict[str, Any]:
    from .editing import ScoreNotFound

    try:
        return service.load(score_id)[0] if seq is None else service.doc_at(score_id, seq)
    except ScoreNotFound:
        raise CommandError(f"no score {score_id!r}") from None
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def cmd_export(args: argparse.Namespace) -> int:
    formats = _optional("server.formats", "exporting")
    service = _service(args)
    doc = _load_doc(service, args.score, args.seq)
    try:
        data: bytes = formats.export_score(doc, args.format)
    except formats.FormatError as exc:
        raise CommandError(f"cannot export {args.score}: {exc.message}") from None
    output = Path(args.output or f"{args.score}{EXPORT_FORMATS[args.format]}")
    output.write_bytes(data)
    print(f"wrote {output} ({len(data)} bytes)", file=sys.stderr)
    return 0


def _describer() -> Any:
    """``describe(edit, doc_before) -> str`` from the history package, if it is there."""
    try:
        from .history.describe import describe_edit
    except ImportError:
        return None
    return describe_edit


def history_rows(service: EditLog, score_id: str) -> list[dict[str, Any]]:
    """One dict per edit: what ``tutti history`` prints."""
    from .editing import ScoreNotFound, replay
    from .persistence import iso

    try:
        edits: list[CommittedEdit] = service.edits(score_id)
        describe = _describer()
        doc = service.doc_at(score_id, 0) if describe else None
    except ScoreNotFound:
        raise CommandError(f"no score {score_id!r}") from None
    rows = []
    for edit in edits:
        row: dict[str, Any] = {
            "seq": edit.seq,
            "author": edit.author_name,
            "author_id": edit.author_id,
            "origin": edit.origin,
            "at": iso(edit.created_at),
            "client_id": edit.client_id,
            "client_seq": edit.client_seq,
            "ops": [op.get("op") for op in edit.ops],
            "skipped": len(edit.skipped),
        }
        if describe is not None and doc is not None:
            row["description"] = describe(edit, doc)
            replay(doc, [edit.ops])
        rows.append(row)
    return rows


def cmd_history(args: argparse.Namespace) -> int:
    if args.comments:
        return _print_comments(_service(args), args)
    rows = history_rows(_service(args), args.score)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    columns = ["seq", "author", "author_id", "origin", "at", "client_id", "client_seq", "ops"]
    columns += ["skipped"] + (["description"] if rows and "description" in rows[0] else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "ops": " ".join(str(o) for o in row["ops"])})
    sys.stdout.write(buffer.getvalue())
    return 0


def _print_comments(service: EditLog, args: argparse.Namespace) -> int:
    """``tutti history SCORE --comments``: every comment of the score (the export rows)."""
    from .comments import CommentService
    from .comments.service import to_csv
    from .editing import ScoreNotFound
    from .persistence import Repositories

    try:
        rows = CommentService.over(service, Repositories.over(service.db)).all_rows(args.score)
    except ScoreNotFound:
        raise CommandError(f"no score {args.score!r}") from None
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(to_csv(rows))
    return 0


def cmd_verify_log(args: argparse.Namespace) -> int:
    from .editing import ScoreNotFound

    service = _service(args, existing_log_key=True)
    warnings: list[str] = []
    try:
        problems = service.verify_log(args.score, warnings=warnings)
        head = service.head_seq(args.score)
    except ScoreNotFound:
        raise CommandError(f"no score {args.score!r}") from None
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"score {args.score}: the log is damaged or not signed ({len(problems)} problems)",
            file=sys.stderr,
        )
        return 2
    print(f"score {args.score}: {head} edits, keyed hash chain intact, head and snapshots signed")
    return 0


def cmd_sign_log(args: argparse.Namespace) -> int:
    from .editing import ScoreNotFound

    if bool(args.score) == args.all:
        raise CommandError("give one score id, or --all")
    service = _service(args, existing_log_key=True)
    if args.all:
        from .persistence import repository

        with service.db.read() as conn:
            scores = repository.unsigned_score_ids(conn)
    else:
        scores = [args.score]
    refused = 0
    for score in scores:
        try:
            problems = service.sign_log(score)
        except ScoreNotFound:
            raise CommandError(f"no score {score!r}") from None
        for problem in problems:
            print(f"{score}: {problem}")
        if problems:
            refused += 1
            print(f"score {score}: not signed, the log is damaged", file=sys.stderr)
        else:
            print(f"score {score}: head and snapshots signed")
    return 2 if refused else 0


def _sharing(args: argparse.Namespace) -> Any:
    from .persistence import Repositories
    from .sharing import SharingService

    return SharingService.over(Repositories.over(_service(args).db))


def _sharing_call(action: Any) -> Any:
    """Run a sharing action as an administrator; its refusals become ``tutti: ...``."""
    from .errors import TuttiError

    try:
        return action()
    except TuttiError as exc:
        raise CommandError(exc.message) from None


def cmd_members(args: argparse.Namespace) -> int:
    sharing = _sharing(args)
    view = _sharing_call(lambda: sharing.list_members(args.score, None))
    if args.format == "json":
        json.dump(view, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for member in view["members"]:
        via = " (share link)" if member["via_link"] else ""
        print(f"{member['name']}\t{member['role']}{via}")
    for link in view["links"]:
        expiry = link["expires_at"] or "never"
        state = " expired" if link["expired"] else ""
        print(f"link {link['id']}\t{link['role']}\texpires {expiry}{state}", file=sys.stderr)
    for asked in view["requests"]:
        print(f"request\t{asked['name']}\tasked {asked['at']}", file=sys.stderr)
    return 0


def cmd_share(args: argparse.Namespace) -> int:
    sharing = _sharing(args)
    member = _sharing_call(lambda: sharing.share(args.score, None, args.user, args.role))
    print(f"{member['name']} is now {member['role']} of {args.score}")
    return 0


def cmd_unshare(args: argparse.Namespace) -> int:
    sharing = _sharing(args)
    member = _sharing_call(lambda: sharing.unshare(args.score, None, args.user))
    # Open editors of the removed member are evicted by the servers' access poll.
    print(f"{member['name']} removed from {args.score}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if args.database_url:
        os.environ["TUTTI_DATABASE_URL"] = args.database_url
    serving = _optional("server.serving", "the server")
    return int(serving.main(args.host, args.port, args.workers))


def cmd_voicing(argv: list[str]) -> int:
    voicing_cli = _optional("server.voicing.cli", "the voicing helper")
    return int(voicing_cli.main(argv) or 0)


# --- classrooms (for a school's IT admin) ------------------------------------------------


def _classrooms(args: argparse.Namespace) -> tuple[Any, EditLog]:
    """The classrooms use case over the database, hashing passwords as the server does."""
    from .auth.passwords import hash_password
    from .classrooms import ClassroomService
    from .history_service import HistoryViews
    from .persistence import Repositories

    settings = _settings(args)
    service = _service(args)
    repos = Repositories.over(service.db)
    rooms = ClassroomService.over(
        service,
        repos,
        HistoryViews(service, repos.checkpoints),
        lambda password: hash_password(password, settings.password_method),
    )
    return rooms, service


def _class_teacher(rooms: Any, class_id: int) -> int:
    """The CLI acts as the teacher who created the class."""
    klass = rooms.store.get_class(class_id)
    if klass is None:
        raise CommandError(f"no class {class_id}")
    return int(klass["created_by"])


def _run(action: Any) -> Any:
    from .errors import TuttiError

    try:
        return action()
    except TuttiError as exc:
        raise CommandError(exc.message) from None


def cmd_class_create(args: argparse.Namespace) -> int:
    rooms, service = _classrooms(args)
    teacher = _user_id(service, args.teacher)
    made = _run(lambda: rooms.create_class(teacher, args.title))
    if args.json:
        print(json.dumps({"id": made["id"], "join_code": made["join_code"]}))
    else:
        print(f"class {made['id']}: {made['title']} (join code {made['join_code']})")
    return 0


def cmd_class_roster(args: argparse.Namespace) -> int:
    rooms, _ = _classrooms(args)
    try:
        text = Path(args.import_file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"cannot read {args.import_file}: {exc.strerror}") from None
    teacher = _class_teacher(rooms, args.klass)
    report = _run(lambda: rooms.import_roster(teacher, args.klass, text))
    if args.json:
        print(json.dumps(report))
    else:
        print(f"created {len(report['created'])} accounts, enrolled {len(report['enrolled'])}")
    return 0


def cmd_assignment_create(args: argparse.Namespace) -> int:
    rooms, _ = _classrooms(args)
    teacher = _class_teacher(rooms, args.klass)
    spec = {
        "title": args.title,
        "template": args.template,
        "mode": args.mode,
        "groups": args.groups,
        "helper": args.helper,
        "due": args.due,
        "points": args.points,
        "instructions": args.instructions,
        "lock": not args.unlocked,
    }
    made = _run(lambda: rooms.create_assignment(teacher, args.klass, spec))
    if args.json:
        print(json.dumps(made))
    else:
        print(f"assignment {made['id']}: {len(made['copies'])} copies")
        for name, score in made["copies"].items():
            print(f"  {name}\t{score}")
    return 0


def cmd_assignment_status(args: argparse.Namespace) -> int:
    from .classrooms import STATUS_COLUMNS, to_csv

    rooms, _ = _classrooms(args)
    assignment = rooms.store.get_assignment(args.assignment)
    if assignment is None:
        raise CommandError(f"no assignment {args.assignment}")
    teacher = _class_teacher(rooms, int(assignment["class_id"]))
    rows = _run(lambda: rooms.status(teacher, args.assignment))
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        sys.stdout.write(to_csv(rows, STATUS_COLUMNS))
    return 0


# --- parsing -------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tutti", description="Tutti collaborative score editor")
    parser.add_argument(
        "--database-url", help="overrides TUTTI_DATABASE_URL (default: instance/tutti.sqlite3)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init-db", help="create or migrate the database schema")
    p.set_defaults(func=cmd_init_db)

    p = sub.add_parser("create-user", help="add a user (prints the new id)")
    p.add_argument("name")
    p.add_argument("--password", help="default: prompt")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--display-name")
    p.add_argument("--colour", help="e.g. #d62728 (default: from the name)")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("import", help="import MusicXML/MIDI/... as a new score (prints its id)")
    p.add_argument("file")
    p.add_argument("--owner", required=True, help="user name of the owner")
    p.add_argument("--title")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export a score (its head, or --seq)")
    p.add_argument("score")
    p.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="musicxml")
    p.add_argument("-o", "--output", help="default: <score><extension>")
    p.add_argument("--seq", type=int, help="export the score as it was after this edit")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("history", help="every edit of a score")
    p.add_argument("score")
    p.add_argument("--format", choices=["json", "csv"], default="csv")
    p.add_argument("--comments", action="store_true", help="the score's comments instead")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser(
        "verify-log",
        help="check a score's keyed hash chain, signed head and snapshots (exit 2 if damaged)",
    )
    p.add_argument("score")
    p.set_defaults(func=cmd_verify_log)

    p = sub.add_parser(
        "sign-log",
        help="sign the head of a log from before keyed hashing, once checked (exit 2 if damaged)",
    )
    p.add_argument("score", nargs="?")
    p.add_argument("--all", action="store_true", help="every score whose head is unsigned")
    p.set_defaults(func=cmd_sign_log)

    p = sub.add_parser("members", help="who is in a score, with their roles")
    p.add_argument("score")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_members)

    p = sub.add_parser("share", help="give a user a role in a score (or change it)")
    p.add_argument("score")
    p.add_argument("user", help="user name")
    p.add_argument("--role", required=True, choices=["owner", "editor", "commenter", "viewer"])
    p.set_defaults(func=cmd_share)

    p = sub.add_parser(
        "unshare", help="remove a user from a score (their open editors lose it at once)"
    )
    p.add_argument("score")
    p.add_argument("user", help="user name")
    p.set_defaults(func=cmd_unshare)

    p = sub.add_parser("serve", help="run the web server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes on this port (N > 1 needs TUTTI_MESSAGE_QUEUE; see deployment.md)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("class", help="classes: create, roster import")
    classes = p.add_subparsers(dest="class_command", required=True, metavar="ACTION")
    c = classes.add_parser("create", help="a new class (prints its id and join code)")
    c.add_argument("title")
    c.add_argument("--teacher", required=True, help="user name of the teacher")
    c.add_argument("--json", action="store_true", help='print {"id", "join_code"}')
    c.set_defaults(func=cmd_class_create)
    c = classes.add_parser("roster", help="enrol students from a CSV name,display_name,password")
    c.add_argument("klass", type=int, metavar="CLASS")
    c.add_argument("--import", dest="import_file", required=True, metavar="FILE.csv")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_class_roster)

    p = sub.add_parser("assignment", help="assignments: create, status")
    assignments = p.add_subparsers(dest="assignment_command", required=True, metavar="ACTION")
    a = assignments.add_parser("create", help="copy a template per student or per group")
    a.add_argument("klass", type=int, metavar="CLASS")
    a.add_argument("--title", required=True)
    a.add_argument("--template", help="score id (default: a blank score)")
    a.add_argument("--mode", choices=["copy", "group"], default="copy")
    a.add_argument("--groups", help='with --mode group: "ana,ben;cy,dee"')
    a.add_argument("--helper", choices=["allow", "forbid"], default="allow")
    a.add_argument("--due", help="ISO 8601 date or time")
    a.add_argument("--points", type=int)
    a.add_argument("--instructions")
    a.add_argument("--unlocked", action="store_true", help="let students change given notes")
    a.add_argument("--json", action="store_true", help='print {"id", "copies"}')
    a.set_defaults(func=cmd_assignment_create)
    a = assignments.add_parser("status", help="one row per student with contribution numbers")
    a.add_argument("assignment", type=int)
    a.add_argument("--format", choices=["json", "csv"], default="csv")
    a.set_defaults(func=cmd_assignment_status)

    sub.add_parser("voicing", help="the voicing helper's own commands (voicing --help)")
    return parser


def _voicing_split(argv: list[str]) -> tuple[list[str], list[str]] | None:
    """(global options, voicing's own argv) when the command is ``voicing``, else None.

    The voicing helper parses its own arguments, so everything after the word is its.
    """
    i = 0
    while i < len(argv):
        if argv[i] == "--database-url":
            i += 2
        elif argv[i].startswith("--database-url="):
            i += 1
        else:
            break
    if i < len(argv) and argv[i] == "voicing":
        return argv[:i], argv[i + 1 :]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        split = _voicing_split(argv)
        if split is not None:
            options = parser.parse_args([*split[0], "init-db"])
            if options.database_url:
                os.environ["TUTTI_DATABASE_URL"] = options.database_url
            return cmd_voicing(split[1])
        args = parser.parse_args(argv)
        return int(args.func(args))
    except CommandError as exc:
        print(f"tutti: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

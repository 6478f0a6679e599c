"""The comments use case over a real (SQLite) database: mentions, who may do what as
roles change, threads one level deep, the seq a comment was written at, and what a
deleted thread takes with it."""

from __future__ import annotations

import pytest

from server.auth.roles import AuthError
from server.comments import CommentError, CommentService, mentioned_names
from server.editing import EditLog
from server.score.model import new_document
from tests.support.records import records

NOTE = {
    "op": "write_event", "part": "p1", "measure": "m1", "offset": "0",
    "event": {"id": "n1", "dur": {"type": 4}, "notes": [{"id": "n1a", "step": "C", "octave": 5}]},
}  # fmt: skip
PART = {"kind": "part", "part": "p1"}


@pytest.fixture
def setup(service: EditLog) -> tuple[CommentService, str, dict[str, int]]:
    repos = records(service)
    people = {name: repos.users.create_user(name, "x") for name in ("ana", "cora", "ed", "out")}
    score = service.create_score(people["ana"], "S", new_document(measures=2))
    repos.members.set_member(score, people["cora"], "commenter")
    repos.members.set_member(score, people["ed"], "editor")
    service.submit(score, people["ana"], [NOTE])
    return CommentService.over(service, repos), score, people


def test_mentioned_names() -> None:
    text = "@ana, @ed. and @ana again; mail@cora @@out @x_y-z.w (@dan) @" + "a" * 41
    assert mentioned_names(text) == ["ana", "ed", "x_y-z.w", "dan"]
    assert mentioned_names("no one") == []
    assert len(mentioned_names(" ".join(f"@u{i}" for i in range(50)))) == 20


def test_a_comment_keeps_the_seq_it_was_written_at(
    setup: tuple[CommentService, str, dict[str, int]], service: EditLog
) -> None:
    comments, score, people = setup
    change = comments.create(score, people["cora"], {"body": "x", "anchor": PART})
    service.submit(score, people["ana"], [{"op": "set_meta", "title": "T"}])
    reply = comments.create(score, people["ed"], {"body": "y", "parent": change.thread_id})
    [thread] = comments.threads(score, people["cora"])["threads"]
    assert (thread["seq"], thread["replies"][0]["seq"]) == (1, 2)
    assert reply.action == "replied" and reply.thread == thread


def test_a_demoted_author_can_no_longer_edit_and_a_removed_member_sees_no_notifications(
    setup: tuple[CommentService, str, dict[str, int]], service: EditLog
) -> None:
    comments, score, people = setup
    change = comments.create(score, people["cora"], {"body": "hi @ed @out", "anchor": PART})
    assert [n["user_id"] for n in change.notifications] == [people["ed"]]  # not a non-member
    assert len(comments.notifications(people["ed"])) == 1
    records(service).members.set_member(score, people["cora"], "viewer")
    with pytest.raises(AuthError):
        comments.edit(score, change.thread_id, people["cora"], "changed")
    records(service).members.set_member(score, people["ed"], None)
    assert comments.notifications(people["ed"]) == []  # the score is no longer theirs


def test_deleting_a_root_takes_its_replies_and_their_notifications(
    setup: tuple[CommentService, str, dict[str, int]],
) -> None:
    comments, score, people = setup
    root = comments.create(score, people["cora"], {"body": "root", "anchor": PART})
    comments.create(score, people["ed"], {"body": "@cora reply", "parent": root.thread_id})
    assert len(comments.notifications(people["cora"])) == 1
    with pytest.raises(AuthError):  # an editor is not the owner: only their own
        comments.delete(score, root.thread_id, people["ed"])
    gone = comments.delete(score, root.thread_id, people["cora"])
    assert gone.thread is None and gone.action == "deleted"
    assert comments.threads(score, people["ana"])["threads"] == []
    assert comments.notifications(people["cora"], unread_only=False) == []


def test_resolving_through_a_reply_resolves_the_thread_and_reopen_clears_it(
    setup: tuple[CommentService, str, dict[str, int]],
) -> None:
    comments, score, people = setup
    root = comments.create(score, people["cora"], {"body": "root", "anchor": PART})
    reply = comments.create(score, people["ed"], {"body": "r", "parent": root.thread_id})
    reply_id = reply.thread["replies"][0]["id"]  # type: ignore[index]
    resolved = comments.resolve(score, reply_id, people["ed"], True)
    assert resolved.thread_id == root.thread_id
    assert resolved.thread["resolved"]["by"]["name"] == "ed"  # type: ignore[index]
    assert comments.resolve(score, root.thread_id, people["cora"], False).thread["resolved"] is None  # type: ignore[index]
    with pytest.raises(CommentError):
        comments.resolve(score, root.thread_id, people["cora"], "yes")

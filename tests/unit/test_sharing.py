"""Sharing and the library as use cases over a real database: the last owner stays (also
when two owners demote each other at once, on PostgreSQL), share links grant their role
for as long as they live, requests for access, the trash and its 30-day purge, search,
sort, "shared with me", rename, duplicate."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from server.auth import AuthError
from server.editing import EditLog
from server.errors import ScoreNotFound
from server.library import Library, LibraryError
from server.persistence import TRASH_DAYS, Database, LastOwner, Repositories, repository
from server.persistence.rows import utcnow
from server.sharing import SharingError, SharingService


class World:
    def __init__(self, service: EditLog) -> None:
        self.log = service
        self.repos = Repositories.over(service.db)
        self.sharing = SharingService.over(self.repos)
        self.library = Library.over(service, self.repos)
        self.ids: dict[str, int] = {}

    def user(self, name: str) -> int:
        self.ids[name] = self.repos.users.create_user(name, "x")
        return self.ids[name]

    def role(self, score: str, name: str) -> str | None:
        return self.repos.members.role_of(score, self.ids[name])


@pytest.fixture
def world(service: EditLog) -> World:
    w = World(service)
    for name in ("ana", "ben", "cleo"):
        w.user(name)
    return w


def test_a_score_always_keeps_an_owner(world: World) -> None:
    score = world.log.create_score(world.ids["ana"])
    ana = world.ids["ana"]
    with pytest.raises(LastOwner) as refused:
        world.sharing.share(score, ana, "ana", "editor")
    assert refused.value.code == "last_owner"
    with pytest.raises(LastOwner):
        world.sharing.unshare(score, ana, "ana")
    with pytest.raises(LastOwner):
        world.sharing.unshare(score, None, "ana")  # not even an administrator
    assert world.role(score, "ana") == "owner"
    world.sharing.share(score, ana, "ben", "owner")
    world.sharing.unshare(score, ana, "ana")  # another owner remains: Ana may leave
    assert world.role(score, "ana") is None and world.role(score, "ben") == "owner"


def test_only_owners_share_and_members_may_leave(world: World) -> None:
    score = world.log.create_score(world.ids["ana"])
    world.sharing.share(score, world.ids["ana"], "ben", "editor")
    with pytest.raises(AuthError, match="an editor cannot share"):
        world.sharing.share(score, world.ids["ben"], "cleo", "viewer")
    with pytest.raises(AuthError):
        world.sharing.unshare(score, world.ids["ben"], "ana")
    with pytest.raises(SharingError, match="role must be one of"):
        world.sharing.share(score, world.ids["ana"], "cleo", "admin")
    with pytest.raises(SharingError, match="no user named"):
        world.sharing.share(score, world.ids["ana"], "nobody", "viewer")
    view = world.sharing.list_members(score, world.ids["ben"])
    assert [(m["name"], m["role"]) for m in view["members"]] == [
        ("ana", "owner"),
        ("ben", "editor"),
    ]
    assert "links" not in view  # links and requests are for owners
    world.sharing.unshare(score, world.ids["ben"], "ben")
    assert world.role(score, "ben") is None
    with pytest.raises(SharingError):
        world.sharing.list_members("nosuchscore", None)


def test_links_grant_their_role_while_they_live(world: World) -> None:
    ana, ben, cleo = (world.ids[n] for n in ("ana", "ben", "cleo"))
    score = world.log.create_score(ana)
    link = world.sharing.create_link(score, ana, "commenter")
    assert world.sharing.redeem(link["token"], ben) == {"score": score, "role": "commenter"}
    assert world.sharing.redeem(link["token"], ana)["role"] == "owner"  # a higher role stays
    assert world.role(score, "ana") == "owner"
    with pytest.raises(SharingError) as bad:
        world.sharing.create_link(score, ana, "owner")  # a link never makes owners
    assert bad.value.code == "bad_request"
    with pytest.raises(SharingError):
        world.sharing.create_link(score, ana, "viewer", expires_in_days=10_000)
    with pytest.raises(AuthError):
        world.sharing.create_link(score, ben, "viewer")
    # An owner who sets Cleo's role by hand makes her membership independent of the link.
    world.sharing.redeem(link["token"], cleo)
    world.sharing.share(score, ana, "cleo", "editor")
    world.sharing.revoke_link(score, ana, link["id"])
    assert world.role(score, "ben") is None and world.role(score, "cleo") == "editor"
    with pytest.raises(SharingError) as dead:
        world.sharing.redeem(link["token"], ben)
    assert dead.value.code == "link_revoked"
    with pytest.raises(SharingError) as unknown:
        world.sharing.redeem("not-a-token", ben)
    assert unknown.value.code == "not_found"


def test_an_expired_link_ends_the_access_it_gave(world: World) -> None:
    ana, ben = world.ids["ana"], world.ids["ben"]
    score = world.log.create_score(ana)
    link_id, token = world.repos.links.create(score, "editor", ana, utcnow() + timedelta(days=1))
    world.sharing.redeem(token, ben)
    assert world.role(score, "ben") == "editor"
    assert world.repos.access.next_expiry(score) is not None
    old, old_token = world.repos.links.create(score, "editor", ana, utcnow() - timedelta(seconds=1))
    world.repos.links.join(score, ben, "editor", old)  # as if redeemed before it expired
    assert world.role(score, "ben") is None
    assert [m["name"] for m in world.repos.members.members(score)] == ["ana"]
    assert score not in [s["id"] for s in world.library.scores(ben)]
    with pytest.raises(SharingError) as expired:
        world.sharing.redeem(old_token, ben)
    assert expired.value.code == "link_expired"
    # ...and a submit by Ben is refused inside the edit's transaction.
    with pytest.raises(AuthError):
        world.library.rename(score, ben, "Mine now")
    assert link_id != old


def test_requests_for_access(world: World) -> None:
    ana, ben = world.ids["ana"], world.ids["ben"]
    score = world.log.create_score(ana)
    assert world.sharing.access(score, ben) == {"role": None, "request": None}
    assert world.sharing.request_access(score, ben)["request"] == "pending"
    assert [r["name"] for r in world.sharing.list_members(score, ana)["requests"]] == ["ben"]
    with pytest.raises(AuthError):
        world.sharing.decide(score, ben, "ben", "owner")  # cannot approve oneself
    world.sharing.decide(score, ana, "ben", None)
    assert world.sharing.access(score, ben) == {"role": None, "request": "denied"}
    world.sharing.request_access(score, ben)
    world.sharing.decide(score, ana, "ben", "commenter")
    assert world.sharing.access(score, ben) == {"role": "commenter", "request": None}
    with pytest.raises(SharingError):
        world.sharing.decide(score, ana, "ben", "viewer")  # nothing pending any more


def test_trash_hides_restores_and_purges_after_thirty_days(world: World) -> None:
    ana, ben = world.ids["ana"], world.ids["ben"]
    score = world.log.create_score(ana, "Old")
    world.log.submit(score, ana, [{"op": "set_meta", "title": "Old one"}])
    world.sharing.share(score, ana, "ben", "editor")
    version = world.repos.access.of([score])[score]
    with pytest.raises(AuthError):
        world.library.delete(score, ben)
    world.library.delete(score, ana)
    assert world.repos.access.of([score])[score] > version  # open sockets re-check
    assert world.role(score, "ana") is None and world.role(score, "ben") is None
    assert world.library.scores(ana) == [] and world.library.scores(ben) == []
    assert [s["id"] for s in world.library.trashed(ana)] == [score]
    assert world.library.trashed(ben) == []
    with pytest.raises(AuthError):
        world.library.restore(score, ben)
    world.library.restore(score, ana)
    assert world.role(score, "ben") == "editor"
    world.library.delete(score, ana)
    assert world.repos.trash.purge(utcnow() + timedelta(days=TRASH_DAYS - 1)) == []
    assert world.repos.trash.purge(utcnow() + timedelta(days=TRASH_DAYS + 1)) == [score]
    with pytest.raises(ScoreNotFound):
        world.log.load(score)
    with world.log.db.read() as conn:
        assert repository.count_edits(conn, score) == 0  # the log went with it
    with pytest.raises(LibraryError):
        world.library.restore(score, ana)


def test_search_sort_and_shared_with_me(world: World) -> None:
    ana, ben = world.ids["ana"], world.ids["ben"]
    fugue = world.log.create_score(ana, "Fugue in C")
    waltz = world.log.create_score(ana, "waltz")
    mine = world.log.create_score(ben, "Ben's Air")
    world.sharing.share(fugue, ana, "ben", "viewer")
    for _ in range(3):
        world.log.submit(waltz, ana, [{"op": "set_meta", "composer": "A"}])
    world.log.submit(fugue, ana, [{"op": "set_meta", "composer": "B"}])  # edited last
    rows = world.library.scores(ben)
    assert [(r["id"], r["shared"], r["owner_name"]) for r in rows] == [
        (fugue, True, "ana"),
        (mine, False, "ben"),
    ]
    assert [r["title"] for r in world.library.scores(ana, sort="title")] == ["Fugue in C", "waltz"]
    assert [r["id"] for r in world.library.scores(ana, sort="edits")] == [waltz, fugue]
    assert [r["id"] for r in world.library.scores(ana, sort="edited")] == [fugue, waltz]
    assert [r["id"] for r in world.library.scores(ana, "FUG")] == [fugue]
    assert world.library.scores(ana, "nothing like it") == []
    with pytest.raises(LibraryError):
        world.library.scores(ana, sort="size")


def test_rename_is_an_edit_and_duplicate_copies_the_head(world: World) -> None:
    ana, ben = world.ids["ana"], world.ids["ben"]
    score = world.log.create_score(ana, "Song")
    world.sharing.share(score, ana, "ben", "commenter")
    edit = world.library.rename(score, ana, "  Song, final  ")
    assert edit.ops == [{"op": "set_meta", "title": "Song, final"}] and edit.author_id == ana
    with pytest.raises(AuthError, match="a commenter cannot rename"):
        world.library.rename(score, ben, "Mine")
    with pytest.raises(LibraryError):
        world.library.rename(score, ana, "x" * 201)
    copy = world.library.duplicate(score, ben)  # any member may copy what they can read
    doc, seq = world.log.load(copy)
    original, _ = world.log.load(score)
    assert seq == 0 and doc["title"] == "Copy of Song, final"
    assert doc["parts"] == original["parts"] and doc["measures"] == original["measures"]
    assert world.repos.members.role_of(copy, ben) == "owner"
    assert world.repos.members.role_of(copy, ana) is None
    with pytest.raises(AuthError):
        world.library.duplicate(score, world.ids["cleo"])


def test_two_owners_demoting_each_other_at_once_leave_one_owner(pg_url: str) -> None:
    """Without the score-row lock both demotions would commit (each sees the other still
    an owner) and the score would be left with none."""
    service = EditLog(Database(pg_url))
    try:
        w = World(service)
        ana, ben = w.user("ana"), w.user("ben")
        for _ in range(100):
            score = service.create_score(ana)
            w.repos.members.set_member(score, ben, "owner")
            barrier = threading.Barrier(2)
            errors: list[Any] = []

            def demote(
                who: int,
                score: str = score,
                barrier: threading.Barrier = barrier,
                errors: list[Any] = errors,
            ) -> None:
                barrier.wait()
                try:
                    w.repos.members.set_member(score, who, "editor")
                except LastOwner as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=demote, args=(u,)) for u in (ana, ben)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            owners = [m for m in w.repos.members.members(score) if m["role"] == "owner"]
            assert len(owners) == 1 and len(errors) == 1
    finally:
        service.db.dispose()

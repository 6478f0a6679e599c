"""``create_app`` builds every service up front, and the one ``Broadcaster`` delivers
HTTP-made changes to the score's room only (in-process app, real Socket.IO test clients)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.extensions import get_broadcaster, get_edit_log, get_helper, get_history
from server.history_service import HistoryService
from server.suggestions import HelperService
from server.sync import protocol
from server.sync.broadcast import Broadcaster, room_of
from tests.support.inprocess import InProcessApp, events


@pytest.fixture
def tutti(db_url: str) -> Iterator[InProcessApp]:
    app = InProcessApp(db_url)
    yield app
    app.close()


def test_every_service_exists_before_the_first_request(tutti: InProcessApp) -> None:
    app = tutti.app
    history, helper = get_history(app), get_helper(app)
    assert isinstance(history, HistoryService) and isinstance(helper, HelperService)
    assert isinstance(get_broadcaster(app), Broadcaster)
    # One set of history views per process, over the app's one edit log.
    assert helper.views is history.views
    assert history.scores is get_edit_log(app) and helper.scores is get_edit_log(app)
    assert history.views.pause is not None  # building a view yields to other sockets


def test_room_names_and_event_names_come_from_one_place() -> None:
    assert room_of("abc") == "score:abc"
    assert protocol.SUGGESTIONS == "suggestions"


def test_http_changes_reach_the_room_and_only_the_room(tutti: InProcessApp) -> None:
    for name in ("ana", "ben", "cara"):
        tutti.signup(name)
    score = tutti.create_score("ana")
    tutti.add_member("ana", score, "ben", "editor")
    ben, cara = tutti.socket("ben"), tutti.socket("cara")
    joined = ben.emit(protocol.JOIN, {"score": score}, callback=True)
    assert joined["ok"] is True
    refused = cara.emit(protocol.JOIN, {"score": score}, callback=True)
    assert refused["error"]["code"] == "forbidden"
    events(ben, protocol.PRESENCE)
    events(cara, protocol.PRESENCE)

    switched = tutti.http("ana").put(f"/api/scores/{score}/helper", json={"enabled": True})
    assert switched.status_code == 200
    assert events(ben, protocol.SUGGESTIONS) == [
        {"score": score, "action": "settings", "settings": {"helper_enabled": True}}
    ]

    # An edit made over HTTP (a restore) is broadcast exactly like a socket submit.
    submitted = ben.emit(
        protocol.SUBMIT,
        {"score": score, "client_id": "c1", "client_seq": 1,
         "ops": [{"op": "set_meta", "title": "Renamed"}]},
        callback=True,
    )  # fmt: skip
    assert submitted["ok"] is True and submitted["seq"] == 1
    assert [e["seq"] for e in events(ben, protocol.EDIT)] == [1]
    restored = tutti.http("ana").post(f"/api/scores/{score}/restore", json={"seq": 0})
    assert restored.status_code == 200, restored.get_data(as_text=True)
    (edit,) = events(ben, protocol.EDIT)
    assert edit["seq"] == 2 and edit["origin"] == "restore" and edit["score"] == score
    assert edit == get_edit_log(tutti.app).edit_at(score, 2).to_wire()
    assert events(cara, protocol.EDIT) == [] and events(cara, protocol.SUGGESTIONS) == []

"""The route file: absent → RASA_URL; written → that URL, seen at once by a reader; removed → back."""
from bot.studio import switch


def test_route_to_and_back(tmp_path):
    assert switch.routed_url(tmp_path) is None
    assert switch.live_url("http://127.0.0.1:5005/", tmp_path) == "http://127.0.0.1:5005"
    switch.route_to("http://127.0.0.1:5007", tmp_path)
    assert switch.live_url("http://127.0.0.1:5005", tmp_path) == "http://127.0.0.1:5007"
    switch.route_to("http://127.0.0.1:5009", tmp_path)
    assert switch.routed_url(tmp_path) == "http://127.0.0.1:5009"
    switch.route_back(tmp_path)
    switch.route_back(tmp_path)  # twice is fine
    assert switch.live_url("http://127.0.0.1:5005", tmp_path) == "http://127.0.0.1:5005"
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_a_damaged_route_file_means_the_default(tmp_path):
    switch.route_path(tmp_path).write_text("{not json", encoding="utf-8")
    assert switch.live_url("http://127.0.0.1:5005", tmp_path) == "http://127.0.0.1:5005"

"""The command line on both databases: the history, and rollbacks it refuses with a clear message."""
from bot.studio import cli, versions


def test_versions_and_refused_rollbacks(database_url, capsys):
    one = versions.begin("editor", "여권 예문 추가")
    versions.make_live(one, metrics={"candidate": {"faq_top1": 0.912}})
    assert cli.main(["versions"]) == 0
    out = capsys.readouterr().out
    assert "여권 예문 추가" in out and "top-1 91.2%" in out and "live" in out
    assert cli.main(["rollback", str(one)]) == 1
    assert "이미 운영 중" in capsys.readouterr().err
    assert cli.main(["rollback", "424242"]) == 1
    assert "그런 버전이 없어요" in capsys.readouterr().err
    versions.begin("boss", "진행 중")
    assert cli.main(["publish", "--summary", "두 번째"]) == 1
    assert "이미 진행 중인 배포" in capsys.readouterr().err

"""``serve``/``demo --host --port``: links, posters and certificates point where the site answers."""

from __future__ import annotations

import os

import pytest

from phongdich.core import siteurl


@pytest.fixture
def no_env(monkeypatch, settings):
    for name in (siteurl.ENV, "ALLOWED_HOSTS"):
        monkeypatch.setenv(name, "placeholder")  # so that undo restores the real state
        monkeypatch.delenv(name)
    settings.BASE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    return settings


def test_the_port_and_host_make_the_address(no_env):
    assert siteurl.use_base_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert no_env.BASE_URL == "http://127.0.0.1:8123"
    assert "http://127.0.0.1:8123" in no_env.CSRF_TRUSTED_ORIGINS
    assert os.environ[siteurl.ENV] == "http://127.0.0.1:8123"  # the worker process too


def test_every_interface_means_the_address_others_reach(no_env):
    url = siteurl.use_base_url("0.0.0.0", 8124)  # noqa: S104
    host = url.removeprefix("http://").rsplit(":", 1)[0]
    assert url.endswith(":8124") and host not in {"0.0.0.0", ""}  # noqa: S104
    assert host in no_env.ALLOWED_HOSTS


def test_the_setting_wins_when_given(no_env, monkeypatch):
    monkeypatch.setenv(siteurl.ENV, "https://kiemdich.example.vn")
    no_env.BASE_URL = "https://kiemdich.example.vn"
    assert siteurl.use_base_url("127.0.0.1", 8123) == "https://kiemdich.example.vn"
    assert no_env.BASE_URL == "https://kiemdich.example.vn"


def test_a_poster_points_at_the_derived_address(no_env, venue):
    from phongdich.checkpoints.posters import checkin_url

    siteurl.use_base_url("127.0.0.1", 8125)
    assert checkin_url(venue) == f"http://127.0.0.1:8125/c/{venue.code}"


def test_a_taken_port_is_explained_in_both_languages():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(siteurl.PortTaken) as error:
            siteurl.check_port_free("127.0.0.1", port)
    assert "cổng" in str(error.value) and "already in use" in str(error.value)
    siteurl.check_port_free("127.0.0.1", port)  # free again once closed

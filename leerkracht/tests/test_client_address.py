"""The client's address behind the load balancer: read from X-Forwarded-For only as far as the
configured number of trusted proxies reaches, so a client cannot choose its own address."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from leerkracht.http import client_address
from schools.tests.factories import UserFactory

PROXY = "10.0.0.2"  # the load balancer, as the application server sees it
CLIENT = "203.0.113.7"  # the real client, as the load balancer saw it
SPOOFED = "198.51.100.66"  # what the client wrote into the header itself


def forwarded(header: str | None, remote: str = PROXY):
    extra = {"HTTP_X_FORWARDED_FOR": header} if header is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_behind_one_proxy_the_right_most_entry_is_the_client(settings):
    settings.PROXY_COUNT = 1
    assert client_address(forwarded(f"{SPOOFED}, {CLIENT}")) == CLIENT


def test_a_spoofed_extra_entry_cannot_choose_the_address(settings):
    settings.PROXY_COUNT = 1
    assert client_address(forwarded(f"{SPOOFED}, 192.0.2.1, {CLIENT}")) == CLIENT
    assert client_address(forwarded(f"{CLIENT}, {SPOOFED}, {CLIENT}")) == CLIENT


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.PROXY_COUNT = 2
    cdn = "192.0.2.50"
    assert client_address(forwarded(f"{SPOOFED}, {CLIENT}, {cdn}")) == CLIENT


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    assert client_address(forwarded(f"{SPOOFED}, {CLIENT}")) == PROXY
    assert client_address(forwarded(SPOOFED)) == PROXY


def test_without_the_header_the_connection_address_counts(settings):
    settings.PROXY_COUNT = 1
    assert client_address(forwarded(None, remote=CLIENT)) == CLIENT
    assert client_address(forwarded("", remote=CLIENT)) == CLIENT


def test_a_shorter_chain_than_configured_gives_the_furthest_recorded_hop(settings):
    """Reached through the load balancer alone while two proxies are configured: the one entry
    the balancer wrote is the client, not the balancer itself."""
    settings.PROXY_COUNT = 2
    assert client_address(forwarded(CLIENT)) == CLIENT


@pytest.mark.parametrize("header", ["not-an-address", f"{CLIENT}, <script>", "999.1.1.1", ", ,"])
def test_a_malformed_entry_falls_back_to_the_connection_address(settings, header):
    """The login throttle stores the address in an address column (PostgreSQL's inet): garbage
    must never reach it."""
    settings.PROXY_COUNT = 1
    assert client_address(forwarded(header)) == PROXY


def test_an_ipv6_client_is_read_as_such(settings):
    settings.PROXY_COUNT = 1
    assert client_address(forwarded(f"{SPOOFED}, 2001:db8::7")) == "2001:db8::7"


@pytest.mark.django_db
def test_the_login_throttle_counts_the_real_client_behind_the_proxy(client, settings):
    settings.PROXY_COUNT = 1
    UserFactory(email="sanne@school.test")
    for n in range(2):
        client.post(
            "/inloggen/",
            {"username": "sanne@school.test", "password": "fout"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, {CLIENT}",
        )
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [(CLIENT, 2)]


@pytest.mark.django_db
def test_without_trusted_proxies_the_login_throttle_counts_the_connection(client, settings):
    settings.PROXY_COUNT = 0
    UserFactory(email="sanne@school.test")
    client.post(
        "/inloggen/",
        {"username": "sanne@school.test", "password": "fout"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]

"""The reference deployment of the edge (README, docker-compose.yml, deploy/nginx/): its pieces
agree with each other, so what the edge tests run is what Compose runs."""

import re

import yaml
from django.conf import settings

from .nginx import REFERENCE_CONFIG

COMPOSE = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
EDGE_IMAGE = (settings.BASE_DIR / "deploy" / "nginx" / "Dockerfile").read_text()
PLACEHOLDERS = set(re.findall(r"\$\{(\w+)\}", REFERENCE_CONFIG.read_text()))
DIRECTIVES = re.sub(r"#.*", "", REFERENCE_CONFIG.read_text())


def test_the_edge_image_fills_in_every_placeholder_of_the_reference_config():
    command = re.search(r"envsubst '([^']+)'", EDGE_IMAGE).group(1)
    assert set(re.findall(r"\$\{(\w+)\}", command)) == PLACEHOLDERS
    assert set(COMPOSE["services"]["edge"]["environment"]) == PLACEHOLDERS


def test_compose_workers_purge_the_edge_on_a_port_readers_cannot_reach():
    edge = COMPOSE["services"]["edge"]
    purge_port = edge["environment"]["EDGE_PURGE_LISTEN"]
    purge_urls = COMPOSE["x-app-environment"]["EDITORIAL_EDGE_PURGE_URLS"]

    assert purge_urls == f"${{EDITORIAL_EDGE_PURGE_URLS:-http://edge:{purge_port}}}"
    assert all(not port.endswith(f":{purge_port}") for port in edge["ports"])
    assert edge["ports"] == ["${EDGE_PORT:-8080}:" + edge["environment"]["EDGE_LISTEN"]]


def test_the_edge_never_serves_a_stale_page():
    """A page whose time is up is asked for again: a lost purge costs at most s-maxage (I6)."""
    assert "proxy_cache_use_stale" not in DIRECTIVES
    assert "proxy_cache_valid" not in DIRECTIVES  # only the origin's Cache-Control decides

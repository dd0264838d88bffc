"""The recommender tests' planted world (tests/builders/recommender.py) and a media folder of their own."""

import pytest

from recommender.services.serving import serving_cache_clear
from tests.builders.recommender import make_world
from tests.factories import PlatformFactory


@pytest.fixture(autouse=True)
def _isolated_models(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    serving_cache_clear()
    yield
    serving_cache_clear()


@pytest.fixture
def world(db):
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    items, people = make_world(platform)
    return platform, items, people

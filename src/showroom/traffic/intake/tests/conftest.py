import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _chinese():  # type: ignore[no-untyped-def]
    # The messages a sender gets back are those of settings.LANGUAGE_CODE (zh-hans).
    with translation.override("zh-hans"):
        yield

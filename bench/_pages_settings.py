"""Production settings with test secrets (clinicpro.test_settings), plus the trivial view's URL."""

from clinicpro.test_settings import *  # noqa: F403

ROOT_URLCONF = "_pages_urls"

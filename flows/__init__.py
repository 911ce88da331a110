"""Prefect flows: orchestration only. The work lives in rassegna/, spiders/ and warehouse/.

Importing this package sets Prefect's offline defaults before Prefect itself is
imported (its settings are read at import time): no telemetry, no analytics, so
an offline or air-gapped run neither hangs on nor logs failed calls home.
An operator's own environment still wins: these are defaults only.
"""

import os

for _key, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}.items():
    os.environ.setdefault(_key, _value)

"""Prefect flows: orchestration only. The work lives in rassegna/, spiders/ and warehouse/.

Importing this package sets Prefect's offline defaults before Prefect itself is
imported (its settings are read at import time): no telemetry, no analytics, so
an offline or air-gapped run neither hangs on nor logs failed calls home.
It also gives Prefect's temporary server two minutes to answer on its first start
(Prefect's default is 20 s; a cold machine creating the server's database takes
longer: see rassegna/lifecycle/prefect_server.py).
An operator's own environment still wins: these are defaults only.
"""

import os

for _key, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}.items():
    os.environ.setdefault(_key, _value)

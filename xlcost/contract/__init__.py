"""The workbook contract: every sheet, table, column, unit, default and rule, declared once.

The template generator, the reader and its validation messages, the result writer, the JSON/CSV
export, the report appendix and the README's tables all read this package. Change a column here and
every one of them follows.

Input tables are Excel tables (ListObjects) found by name, so users may move them, reorder their
columns, add rows and add their own note columns. Columns are matched by header text.
Scalar inputs are rows of the ``Parameters`` table, found by the text in its ``Name`` column.

The declarations live in one module per concern (``columns``, ``serving_tables``, ``business_tables``,
``published``, ``uncertainty_tables``, ``parameters``, ``results``); every name is available from
``xlcost.contract`` itself.
"""

from __future__ import annotations

from .business_tables import *  # noqa: F403
from .business_tables import (
                              COST_LINES,
                              INDUSTRIES,
                              LOAD_TIERS,
                              MARKET_SCENARIOS,
                              POLICY_RULES,
                              RISKS,
                              SLA_OPTIONS,
                              SLA_TIERS,
)
from .columns import *  # noqa: F403
from .columns import InputTable
from .parameters import *  # noqa: F403
from .published import *  # noqa: F403
from .published import PUBLISHED
from .results import *  # noqa: F403
from .serving_tables import *  # noqa: F403
from .serving_tables import BENCHMARKS, CALL_TYPES, GPU_OFFERS, LOAD_PROFILES, MODELS, SCENARIOS, WORKFLOWS
from .uncertainty_tables import *  # noqa: F403
from .uncertainty_tables import CORRELATIONS, UNCERTAINTY

INPUT_TABLES: tuple[InputTable, ...] = (
    GPU_OFFERS, MODELS, CALL_TYPES, BENCHMARKS, WORKFLOWS, SCENARIOS, LOAD_PROFILES, INDUSTRIES, SLA_TIERS,
    SLA_OPTIONS, COST_LINES, RISKS, MARKET_SCENARIOS, UNCERTAINTY, CORRELATIONS, LOAD_TIERS, POLICY_RULES,
    PUBLISHED,
)
TABLES: dict[str, InputTable] = {t.key: t for t in INPUT_TABLES}

"""xlcost: the Plan/Act LLM serving cost model.

Data flows one way: workbook -> inputs -> engine -> results -> workbook / PDF / JSON.
The library verbs match the CLI's: ``new``, ``check``, ``recalc``, ``export``, ``report``, ``import_files``
(see ``xlcost.api``).
"""

__version__ = "0.2.0"

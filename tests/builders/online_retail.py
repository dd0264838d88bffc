"""Small files in the Online Retail format, and the import command run on them."""

import gzip
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
# A small file in the Online Retail format with every case the importer maps.
LINES = [
    "536365,85123A,,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",  # no description on the first line
    '536365,71053,"WHITE METAL LANTERN, LARGE",6,2010-12-01 08:26:00,3.39,17850,United Kingdom',
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",  # repeat
    "536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,64,2010-12-01 08:28:00,2.95,,United Kingdom",  # guest
    "536367,85123A,WHITE HANGING HEART T-LIGHT HOLDER,1,2011-06-10 14:05:00,2.95,13047,France",  # BST
    "536368,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2011-06-10 14:06:00,2.55,13047,France",
    "C536369,71053,WHITE METAL LANTERN,-2,2011-06-11 09:00:00,3.39,13047,France",  # cancellation -> refund
    "536370,71053,damaged,-12,2011-06-11 10:00:00,0,,United Kingdom",  # stock correction -> skipped
    "A563186,B,Adjust bad debt,1,2011-08-12 14:51:00,-11062.06,,United Kingdom",  # adjustment -> skipped
    "536371,POST,POSTAGE,3,2011-06-12 10:00:00,18,12583,France",  # bookkeeping code -> service
    "536372,22752,SET 7 BABUSHKA NESTING BOXES,2,2011-06-12 11:00:00,7.655,12583,France",  # price in 1/1000
]


def write_file(tmp_path: Path, lines: list[str], name: str = "retail.csv.gz") -> Path:
    path = tmp_path / name
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n".join(lines) + "\n")
    return path


def run_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_online_retail", str(path), "--org", "retail", "--no-progress", *args, stdout=out)
    return out.getvalue()


def import_methods() -> list[str]:
    """The import paths to try on this database: COPY exists only on PostgreSQL."""
    return ["bulk", "copy"] if connection.vendor == "postgresql" else ["bulk"]

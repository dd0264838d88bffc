"""Text that goes into CSV exports people open in spreadsheet programs."""


def spreadsheet_safe(text: str) -> str:
    """A cell starting with = + - @ is run as a formula by spreadsheet programs (CSV injection); quote it as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text

"""Text that goes into CSV exports people open in spreadsheet programs."""


def spreadsheet_safe(text: str) -> str:
    """A cell starting with = + - @ (or a tab or carriage return before one, which some programs skip) is run as a
    formula by spreadsheet programs (CSV injection); quote it as text (OWASP's advice)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

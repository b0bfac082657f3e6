"""Reading and writing practices as spreadsheets (XLSX, and CSV as Finnish Excel writes it)."""

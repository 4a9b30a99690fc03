"""Ledger (台账) import: Excel/CSV rows, one case a row, turned into validated actions."""

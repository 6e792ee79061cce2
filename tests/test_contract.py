"""The contract is one definition: README, code lists and reference files agree with it."""

from __future__ import annotations

from score import contract
from score.config import REPO_ROOT


def test_readme_contract_section_is_generated_from_the_contract() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert contract.README_START in readme
    assert readme == contract.readme_with_contract(readme), "run: python -m score contract --update-readme"


def test_code_lists_come_from_reference_files() -> None:
    assert contract.code_list("module") == ("WC", "QM", "CP", "HR", "OSH")
    assert len(contract.code_list("sector")) == 13
    assert set(contract.code_list("country")) == {"CHN", "COL", "GHA", "IND", "IDN", "ZAF", "VNM", "BOL", "PER"}
    for code in contract.code_list("indicator"):
        assert contract.indicator_kind(code) in ("change", "share")


def test_every_table_key_is_a_column() -> None:
    for table in contract.TABLES.values():
        assert set(table.key) <= set(table.column_names)
        for column in table.columns:
            if column.codes:
                assert contract.code_list(column.codes)

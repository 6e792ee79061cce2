"""The cheap half of `make mutation`: every planted bug still finds its target (exactly once) and names tests
that exist, so a refactor that moves the code fails `make test` at once instead of rotting the mutation check
(issue 20, item 10). The long half, planting each bug and running its tests, is `make mutation`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _mutation_module():
    spec = importlib.util.spec_from_file_location("score_mutation_script", REPO / "scripts" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


MUTATION = _mutation_module()


@pytest.mark.parametrize("mutation", MUTATION.MUTATIONS, ids=lambda m: m.name)
def test_every_planted_bug_finds_its_target_once(mutation) -> None:
    text = (REPO / mutation.path).read_text(encoding="utf-8")
    assert MUTATION.plant(text, mutation) != text


@pytest.mark.parametrize("mutation", MUTATION.MUTATIONS, ids=lambda m: m.name)
def test_every_planted_bug_names_tests_that_exist(mutation) -> None:
    for node in mutation.tests:
        path, _, name = node.partition("::")
        source = REPO / path
        assert source.is_file(), f"{mutation.name}: {path} does not exist"
        if name:
            assert f"def {name.split('[')[0]}(" in source.read_text(encoding="utf-8"), f"{mutation.name}: {node}"

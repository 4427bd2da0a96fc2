"""docs/rules.md names real code and real tests, and the docs stay inside the repository.

The catalogue is only worth reading if it is true: every `path::name` it gives must be a file in
the repository defining that function, class or method (found by parsing, not importing), and
every rule must cite a key of docs/sources.md, name the code that decides it and a test.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "rules.md"
SOURCES = ROOT / "docs" / "sources.md"
REFERENCE = re.compile(r"`([\w./-]+\.py)::([\w.]+)`")
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


class Rule:
    """One row of a catalogue table."""

    def __init__(self, line: str) -> None:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5:
            raise ValueError(f"a rule row has five cells, not {len(cells)}: {line}")
        self.id, self.text, self.source, decided_by, tested_by = cells
        self.code = REFERENCE.findall(decided_by)
        self.tests = REFERENCE.findall(tested_by)


def catalogue() -> list[Rule]:
    rows = [line for line in RULES.read_text().splitlines() if line.startswith("| ")]
    return [Rule(row) for row in rows if not row.startswith(("| id ", "| --- "))]


def citation_keys() -> list[str]:
    """The keys in the first column of the table in docs/sources.md."""
    return re.findall(r"^\| `([^`]+)` \|", SOURCES.read_text(), flags=re.MULTILINE)


@cache
def definitions(path: str) -> frozenset[str]:
    """Every function, class and `Class.method` defined at the top level of `path`."""
    tree = ast.parse((ROOT / path).read_text(), filename=path)
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return frozenset(names)


def missing(references: list[tuple[str, str]]) -> list[str]:
    return [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).is_file() or name not in definitions(path)
    ]


def test_the_catalogue_has_every_process_and_rule() -> None:
    rules = catalogue()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids)), "rule ids repeat"
    for process in ("P1", "P2", "P3", "P4", "P5", "P6", "P7"):
        assert any(i.startswith(f"{process}.") for i in ids), f"no rule of {process}"
    for general in ("Q", "C", "T", "E"):
        assert any(re.fullmatch(rf"{general}\d+", i) for i in ids), f"no {general} rule"


def test_every_rule_cites_a_source_and_names_code_and_a_test() -> None:
    keys = citation_keys()
    assert {"CDCP MoU", "CDCPE ToR", "MSE MoU 2020"} <= set(keys)
    for rule in catalogue():
        assert rule.text, f"{rule.id} says no rule"
        cited = [part.strip() for part in rule.source.split(";")]
        for part in cited:
            assert part == "policy" or any(part.startswith(f"{k} ") for k in keys), (
                f"{rule.id} cites {part!r}, which starts with no key of docs/sources.md"
            )
        assert rule.code, f"{rule.id} names no code that decides it"
        assert rule.tests, f"{rule.id} names no test"
        assert all(p.startswith("tests/") for p, _ in rule.tests), (
            f"{rule.id}: a test not in tests/"
        )


def test_every_referenced_function_exists() -> None:
    references = [ref for rule in catalogue() for ref in rule.code]
    assert missing(references) == [], "docs/rules.md names code that does not exist"


def test_every_referenced_test_exists() -> None:
    references = [ref for rule in catalogue() for ref in rule.tests]
    assert missing(references) == [], "docs/rules.md names tests that do not exist"
    assert all(name.startswith("test_") for _, name in references)


def test_a_wrong_reference_is_caught() -> None:
    assert missing(
        [
            ("domain/rules/quorum.py", "assess_quorum"),
            ("domain/rules/quorum.py", "QuorumResult.is_quorate"),
            ("domain/rules/quorum.py", "assess_quorums"),
            ("domain/rules/no_such_module.py", "assess_quorum"),
        ]
    ) == ["domain/rules/quorum.py::assess_quorums", "domain/rules/no_such_module.py::assess_quorum"]


def documentation() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("page", documentation(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_point_only_inside_the_repository(page: Path) -> None:
    text = page.read_text()
    assert "shared/" not in text, f"{page.name} points outside the repository"
    assert not SEED_FILE.search(text), f"{page.name} cites a source by a file name nobody has"


@pytest.mark.parametrize("page", documentation(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"

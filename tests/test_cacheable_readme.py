"""README.md: every Python snippet runs, so the documented example cannot go stale.

Each ```python block in the README starts with a comment naming its file
(``# render_service.py``). The blocks are written out under those names, verbatim, next
to a stand-in for the paid API module they import, and run in a fresh pytest session
with the cachelint plugin. The same files with the job id put back into the cached
function's parameters must fail, so the documented test really guards the fix.
"""
import importlib.metadata
import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_NAME = re.compile(r"#\s*([\w/]+\.py)\s*\n")

pytest_plugins = ["pytester"]

# What the snippets import as "the paid rendering API": the tests replace the client.
IMAGE_API_STUB = '''
class _Unconfigured:
    def stylize(self, *args, **kwargs):
        raise RuntimeError("the real API is never called from the README tests")


client = _Unconfigured()
'''


def readme_snippets():
    """{file name: source} for every ```python block of the README."""
    snippets = {}
    for match in _BLOCK.finditer(README.read_text(encoding="utf-8")):
        code = match.group(1)
        named = _NAME.match(code)
        assert named, "README python block must start with '# <file>.py':\n" + code[:200]
        assert named.group(1) not in snippets, "two README blocks named " + named.group(1)
        snippets[named.group(1)] = code
    return snippets


def _plugin_args():
    registered = any(
        ep.value == "cachelint.testing"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )
    args = ["-p", "no:cacheprovider"]
    return args if registered else args + ["-p", "cachelint.testing"]


def _run(pytester, snippets):
    pytester.makepyfile(image_api=IMAGE_API_STUB)
    for name, code in snippets.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
    return pytester.runpytest_subprocess(*_plugin_args())


def test_readme_has_the_cacheable_example():
    snippets = readme_snippets()
    assert {"render_service.py", "test_render_service.py"} <= set(snippets)
    service = snippets["render_service.py"]
    # The split the docs promise: an inner function keyed on exactly these parameters,
    # the source bytes passed through unkeyed, the job's folder written outside it.
    signature = "def _stylized(mode, name, style, colors, source_hash, _source_bytes):"
    assert "@cacheable\n" + signature in service
    assert "def render_image(job_id," in service and 'Path("jobs") / job_id' in service
    test = snippets["test_render_service.py"]
    assert "cachelint_cache_dir" in test and "assert_cache_calls(" in test


def test_readme_snippets_pass(pytester):
    snippets = readme_snippets()
    tests = sum(code.count("\ndef test_") for code in snippets.values())
    result = _run(pytester, snippets)
    result.assert_outcomes(passed=tests)


def test_readme_test_catches_the_job_id_in_the_key(pytester):
    snippets = readme_snippets()
    service = snippets["render_service.py"]
    broken = service.replace("def _stylized(mode,", "def _stylized(job_id, mode,").replace(
        "image = _stylized(mode,", "image = _stylized(job_id, mode,"
    )
    assert broken.count("job_id, mode,") == service.count("job_id, mode,") + 2, (
        "README example changed: update this test"
    )
    snippets["render_service.py"] = broken
    result = _run(pytester, snippets)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*hits: expected 1, got 0*"])

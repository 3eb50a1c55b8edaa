"""Tests for cachelint.claims: key claims in docstrings and comments."""
from __future__ import annotations

import inspect
import random
import textwrap

import pytest

from cachelint import claims
from cachelint.claims import Claim, TextBlock, extract_claims, map_phrase

PARAMS = (
    "path",
    "mode",
    "mtime",
    "job_id",
    "run_id",
    "request_id",
    "user_id",
    "logger",
    "colors",
    "timestamp",
    "_source_bytes",
    "out_path",
    "kwargs",
)


def found(sentence, params=PARAMS, kind="docstring"):
    """(kind, params, scope) triples extracted from one block holding ``sentence``."""
    blocks = [TextBlock(sentence, 1, 1, kind)]
    return [(c.kind, c.params, c.scope) for c in extract_claims(blocks, params)]


# --------------------------------------------------------------------------- positives

EXCLUDED = [
    ("The cache key does not include the job ID.", ("job_id",)),
    ("The cache key doesn't include `job_id`.", ("job_id",)),
    ("The job ID is not part of the cache key.", ("job_id",)),
    ("``job_id`` is not part of the key.", ("job_id",)),
    ("The logger is ignored by the cache.", ("logger",)),
    ("The logger is ignored when computing the key.", ("logger",)),
    ("job_id is excluded from the key.", ("job_id",)),
    ("job_id is excluded from hashing.", ("job_id",)),
    ("The logger does not affect caching.", ("logger",)),
    ("The logger doesn't affect the cache key.", ("logger",)),
    ("The job ID isn't used in the key.", ("job_id",)),
    ("The logger is left out of the key.", ("logger",)),
    ("The result is not keyed on the job id.", ("job_id",)),
    ("Not keyed on job_id.", ("job_id",)),
    ("The logger is passed through but not hashed.", ("logger",)),
    ("The logger is passed through to the worker but never hashed.", ("logger",)),
    ("The logger and the job ID are not part of the key.", ("logger", "job_id")),
    ("job_id and run_id are not part of the key.", ("job_id", "run_id")),
    ("Neither job_id nor run_id is part of the key.", ("job_id", "run_id")),
    ("Neither the job ID nor the run ID are part of the cache key.", ("job_id", "run_id")),
    ("The key includes neither the logger nor the job ID.", ("logger", "job_id")),
    ("The cache key does not include job_id or run_id.", ("job_id", "run_id")),
    ("Note: `job_id` is *not* part of the key.", ("job_id",)),
    ("NOTE: the job ID is deliberately NOT part of the key (reruns must hit).", ("job_id",)),
    ("this call's job ID is not part of the key", ("job_id",)),
    ("The timestamps are not hashed into the cache key.", ("timestamp",)),
    ("The output path should not be part of the key.", ("out_path",)),
    ("The colors do not change the cache key.", ("colors",)),
    ("The job ID never reaches the key.", ("job_id",)),
    ("The key ignores job_id.", ("job_id",)),
    ("The cache ignores the logger.", ("logger",)),
    ("The key is computed without the logger.", ("logger",)),
    ("We exclude the job ID from the key.", ("job_id",)),
    ("**kwargs are not part of the key.", ("kwargs",)),
    ("job_id does not change which cache entry is used.", ("job_id",)),
    ("Because job_id changes every run, it is not part of the key.", ("job_id",)),
    ("`logger` is only used for progress output and is not part of the key.", ("logger",)),
    ("The logger, which is noisy, is not part of the key.", ("logger",)),
    ("All arguments except job_id are hashed into the key.", ("job_id",)),
    ("Cached with joblib; `job_id` is ignored (see ignore=).", ("job_id",)),
    ("job_id -- not part of the key", ("job_id",)),
    ("The job’s ID isn’t part of the key.", ("job_id",)),
    ("The logger has no effect on caching.", ("logger",)),
    ("The logger plays no role in the cache key.", ("logger",)),
    ("The logger is not used by the cache.", ("logger",)),
    ("The logger does not affect cache hits.", ("logger",)),
]


@pytest.mark.parametrize("sentence, params", EXCLUDED)
def test_excluded_phrasings(sentence, params):
    assert found(sentence) == [("excluded", params, None)]


KEYED = [
    ("The key includes the path.", ("path",)),
    ("The cache key also includes the mode.", ("mode",)),
    ("The path is part of the cache key.", ("path",)),
    ("The path forms part of the key.", ("path",)),
    ("Results are cached per path.", ("path",)),
    ("Results are cached separately for each mode.", ("mode",)),
    ("One cache entry per job id.", ("job_id",)),
    ("The source bytes are hashed into the key.", ("_source_bytes",)),
    ("The mtime is included in the key so edits invalidate entries.", ("mtime",)),
    ("The mode affects the cache key.", ("mode",)),
    ("The mode goes into the key.", ("mode",)),
    ("Memoized on the full argument tuple, including job_id.", ("job_id",)),
    ("The cache is also keyed on the mode.", ("mode",)),
    ("``job_id`` is included in the cache key on purpose.", ("job_id",)),
]


@pytest.mark.parametrize("sentence, params", KEYED)
def test_keyed_phrasings(sentence, params):
    assert found(sentence) == [("keyed", params, None)]


KEYED_ONLY = [
    ("Keyed on path and mtime.", ("path", "mtime")),
    ("Keyed on path and mtime (only).", ("path", "mtime")),
    ("keyed on path and mtime only", ("path", "mtime")),
    ("Keyed only on path, mode and mtime.", ("path", "mode", "mtime")),
    ("The cache is keyed solely by the path.", ("path",)),
    ("Cache key: path, mtime", ("path", "mtime")),
    ("cache key = (path, mtime)", ("path", "mtime")),
    ("The key is (path, mtime).", ("path", "mtime")),
    ("The key is the tuple (path, mode).", ("path", "mode")),
    ("The cache key is the job ID.", ("job_id",)),
    ("Results are cached by path and mtime.", ("path", "mtime")),
    ("The cache key is derived from ``path`` and ``mtime``.", ("path", "mtime")),
    ("The key consists of the path and the mode.", ("path", "mode")),
    ("The key includes only the path.", ("path",)),
    ("The key includes path, mode and mtime (and nothing else).", ("path", "mode", "mtime")),
    ("Only the path and the mtime are part of the key.", ("path", "mtime")),
    ("Memoised on the output path.", ("out_path",)),
]


@pytest.mark.parametrize("sentence, params", KEYED_ONLY)
def test_keyed_only_phrasings(sentence, params):
    assert found(sentence) == [("keyed_only", params, None)]


SHARED = [
    ("Results are shared across jobs.", "job", ("job_id",)),
    ("Results are reused across runs.", "run", ("run_id",)),
    ("Results are re-used across all requests.", "request", ("request_id",)),
    ("The cached value is shared between users.", "user", ("user_id",)),
    ("Returns the same result for every job.", "job", ("job_id",)),
    ("Computed once and cached across all requests.", "request", ("request_id",)),
    ("Shared across tenants.", "tenant", ()),
    ("The value is shared between sessions.", "session", ()),
    ("Calls from different jobs share one cache entry.", "job", ("job_id",)),
    ("Results are identical for all runs.", "run", ("run_id",)),
]


@pytest.mark.parametrize("sentence, scope, params", SHARED)
def test_shared_phrasings(sentence, scope, params):
    assert found(sentence) == [("shared", params, scope)]


@pytest.mark.parametrize(
    "params, expected",
    [
        (("job_id",), ("job_id",)),
        (("jobid",), ("jobid",)),
        (("jobId",), ("jobId",)),
        (("job_uuid",), ("job_uuid",)),
        (("_job_id",), ("_job_id",)),
        (("job",), ("job",)),
        (("job_name", "path"), ()),
    ],
)
def test_shared_scope_parameter_variants(params, expected):
    assert found("Results are shared across jobs.", params) == [("shared", expected, "job")]


MIXED = [
    (
        "The key includes the path but not the job ID.",
        [("keyed", ("path",), None), ("excluded", ("job_id",), None)],
    ),
    (
        "The path is keyed, the logger is not.",
        [("keyed", ("path",), None), ("excluded", ("logger",), None)],
    ),
    (
        "Keyed on the content hash rather than the path.",
        [("excluded", ("path",), None)],
    ),
    (
        "NB: keyed on (path, mtime); job_id deliberately excluded",
        [("keyed_only", ("path", "mtime"), None), ("excluded", ("job_id",), None)],
    ),
    (
        "The key covers path and mode but deliberately skips the logger.",
        [("keyed", ("path", "mode"), None), ("excluded", ("logger",), None)],
    ),
    (
        "The result is the same for all users, so user_id is not part of the key.",
        [("excluded", ("user_id",), None), ("shared", ("user_id",), "user")],
    ),
    (
        "The cache key does not include the job ID, so results are shared across jobs.",
        [("excluded", ("job_id",), None), ("shared", ("job_id",), "job")],
    ),
    (
        "job_id is not part of the key; neither is the logger.",
        [("excluded", ("job_id",), None)],
    ),
    (
        "The key includes path and job_id is not part of the key.",
        [("keyed", ("path",), None), ("excluded", ("job_id",), None)],
    ),
    (
        "The key includes the path, so the logger is not part of the key.",
        [("keyed", ("path",), None), ("excluded", ("logger",), None)],
    ),
    (
        "Keyed on mode. The logger is not part of the key.",
        [("keyed_only", ("mode",), None), ("excluded", ("logger",), None)],
    ),
]


@pytest.mark.parametrize("sentence, expected", MIXED)
def test_sentences_with_several_claims(sentence, expected):
    assert found(sentence) == expected


# --------------------------------------------------------------------------- negatives

NEGATIVES = [
    "The cache is keyed on the arguments.",
    "Results are cached.",
    "Caching is ignored in tests.",
    "The logger does not affect the result.",
    "The logger does not affect the cached result.",
    "The timestamp is not part of the result.",
    "Results depend only on the path.",
    "The path is used to compute the result.",
    "Note that job_id is logged.",
    "The job ID must be unique.",
    "This function is cached with joblib.",
    "The dict keys are the paths.",
    "The primary key is the user ID.",
    "Raises KeyError if the key is missing.",
    "The key must be a string.",
    "Keys are sorted by path.",
    "Pass the same job ID for every run.",
    "The job ID is unique per run.",
    "The client is reused across requests.",
    "The logger is shared across jobs.",
    "Results are not shared across jobs.",
    "Results are not shared across jobs; each job has its own entry.",
    "The password is not hashed.",
    "Errors are ignored.",
    "The data is cached on disk.",
    "The result is cached by the decorator.",
    "The cache directory is not part of the repository.",
    "The job ID is excluded from the output.",
    "The path is written to the cache directory.",
    "Don't include the logger in the report.",
    "The function is not cached per user because of memory.",
    "Results are cached for each request.",
    "The job is not part of the key.",  # "job" is not job_id
    "The source is not part of the key.",  # "source" is not _source_bytes
    "Reads the path; see the cache key docs.",
    "Returns a dict keyed by path.",
    "Returns a mapping of results keyed by path.",
    "The report is keyed on the path.",
    "Returns a list with one result per path.",
    "Returns a dict shared across requests.",
    "The same logger is used for every job.",
    "The logger has no effect on the result.",
    "The logger is used by the cache.",
    "Errors are ignored by design.",
    "",
    "   ",
    "key",
    "not part of the key",  # no subject and no parameter entry
]


@pytest.mark.parametrize("sentence", NEGATIVES)
def test_sentences_that_are_not_claims(sentence):
    assert found(sentence) == []


@pytest.mark.parametrize(
    "text, params",
    [
        ("key : int\n    The key to use from `edge_index`.", ("key", "edge_index")),
        ("key: the lookup key; see the cache docs.", ("key", "path")),
        ("top level directory cached on loader instance", ("loader",)),
        ("G : graph\n    The graph to be hashed.", ("G",)),
        ("Remove ``value`` from ``key``.", ("value", "key")),
        (":param secret: The input secret used for key derivation", ("secret",)),
        (":type include: Dictionary where keys are parameter names.", ("include", "name")),
        ("remove dir from cache if it's already there", ("directory",)),
        ("Common setup sequence for all user-callable interfaces.", ("user_id",)),
        (
            "attrs : dict\n    If some graph data use these names as data keys, they may be"
            " silently dropped.",
            ("attrs",),
        ),
        ("If a key is not provided, returns a dict mapping edge keys to u and v.", ("u", "v")),
    ],
)
def test_prose_about_other_keys_is_not_a_claim(text, params):
    doc = "Summary.\n\nParameters\n----------\n" + text + "\n"
    assert extract_claims([TextBlock(doc, 1, 1, "docstring")], params) == []


def test_no_params_means_no_claims_except_shared():
    assert found("The job ID is not part of the key.", params=()) == []
    assert found("Results are shared across jobs.", params=()) == [("shared", (), "job")]


def test_parameter_named_like_a_pronoun_or_generic_noun():
    assert found("The value is not part of the key.", ("value", "path")) == [
        ("excluded", ("value",), None)
    ]
    assert found("key is not part of the cache key.", ("key", "path")) == [
        ("excluded", ("key",), None)
    ]


def test_comment_blocks_give_the_same_claims():
    assert found(" job_id is not part of the key", kind="comment") == [
        ("excluded", ("job_id",), None)
    ]


# --------------------------------------------------------------------------- positions

DOCSTRING = '''Render the report for one file.

    The result depends on the path. The job
    ID is not part of the cache key, so reruns
    hit the cache.

    Args:
        path: Input file.
        job_id: the job's id; not part of the cache key.
        logger (logging.Logger): Where progress goes.
            Ignored by the cache.
        run_id: Identifier of the run, not part of the key.

    Returns:
        The report. Results are shared across users.

    Example::

        the mtime is not part of the key

    >>> render(path, job_id)  # the path is not part of the key
    '''


def test_multiline_docstring_positions_and_sections():
    result = extract_claims([TextBlock(DOCSTRING, 10, 8, "docstring")], PARAMS)
    assert [(c.kind, c.params, c.scope, c.line, c.column) for c in result] == [
        ("excluded", ("job_id",), None, 12, 37),
        ("excluded", ("job_id",), None, 18, 9),
        ("excluded", ("logger",), None, 20, 13),
        ("excluded", ("run_id",), None, 21, 9),
        ("shared", ("user_id",), "user", 24, 21),
    ]
    assert result[0].text == "The job ID is not part of the cache key, so reruns hit the cache."
    assert result[1].text == "job_id: the job's id; not part of the cache key."
    assert result[2].text == "Ignored by the cache."


def test_first_line_column_uses_block_column():
    result = extract_claims(
        [TextBlock("Cached. The job ID is not part of the key.", 3, 8, "docstring")], PARAMS
    )
    assert [(c.line, c.column) for c in result] == [(3, 16)]


def test_sentence_wrapping_across_comment_lines():
    blocks = [
        TextBlock(" Fetch the report. NOTE: the job ID and the", 5, 6, "comment"),
        TextBlock(" logger are not part of the key.", 6, 6, "comment"),
        TextBlock(" Results are shared across runs.", 7, 6, "comment"),
        TextBlock(" unrelated", 9, 6, "comment"),
        TextBlock(" job_id: not part of the key", 12, 30, "comment"),
    ]
    result = extract_claims(blocks, PARAMS)
    assert [(c.kind, c.params, c.scope, c.line, c.column, c.text) for c in result] == [
        ("excluded", ("job_id", "logger"), None, 5, 25,
         "NOTE: the job ID and the logger are not part of the key."),
        ("shared", ("run_id",), "run", 7, 7, "Results are shared across runs."),
        ("excluded", ("job_id",), None, 12, 31, "job_id: not part of the key"),
    ]


def test_comment_blocks_are_grouped_by_line_not_by_input_order():
    blocks = [
        TextBlock(" logger are not part of the key.", 6, 1, "comment"),
        TextBlock(" the job ID and the", 5, 1, "comment"),
    ]
    result = extract_claims(blocks, PARAMS)
    assert [(c.params, c.line, c.column) for c in result] == [(("job_id", "logger"), 5, 2)]


def test_blank_comment_line_ends_a_sentence():
    blocks = [
        TextBlock(" the job ID and the", 5, 1, "comment"),
        TextBlock("", 6, 1, "comment"),
        TextBlock(" logger are not part of the key.", 7, 1, "comment"),
    ]
    assert [(c.params, c.line) for c in extract_claims(blocks, PARAMS)] == [(("logger",), 7)]


def test_numpy_style_parameters():
    doc = textwrap.dedent(
        """\
        Numpy style.

        Parameters
        ----------
        job_id : str
            The job id; not part of the cache key.
        timestamp : float
            Ignored by the cache. Really.
        """
    )
    result = extract_claims([TextBlock(doc, 1, 8, "docstring")], PARAMS)
    assert [(c.kind, c.params, c.line, c.column) for c in result] == [
        ("excluded", ("job_id",), 5, 1),
        ("excluded", ("timestamp",), 7, 1),
    ]


def test_sphinx_fields():
    doc = ":param job_id: the job's id. It is not part of the key.\n" \
          ":param str logger: logger; ignored by the cache\n" \
          ":type job_id: str\n"
    result = extract_claims([TextBlock(doc, 1, 8, "docstring")], PARAMS)
    assert [(c.kind, c.params, c.line, c.column, c.text) for c in result] == [
        ("excluded", ("job_id",), 1, 37, "It is not part of the key."),
        ("excluded", ("logger",), 2, 1, ":param str logger: logger; ignored by the cache"),
    ]


def test_bullets_and_markdown_fences():
    doc = textwrap.dedent(
        """\
        Notes:

        - ``job_id``: not part of the key
        - the logger is ignored by the cache

        ```
        # the mode is not part of the key
        ```
        """
    )
    result = extract_claims([TextBlock(doc, 1, 1, "docstring")], PARAMS)
    assert [(c.params, c.line, c.column) for c in result] == [
        (("job_id",), 3, 1),
        (("logger",), 4, 1),
    ]


def test_entry_description_does_not_leak_into_next_entry():
    doc = "Args:\n    job_id: the id.\n    path: not part of the key.\n"
    assert [c.params for c in extract_claims([TextBlock(doc, 1, 1, "docstring")], PARAMS)] == [
        ("path",)
    ]


def test_abbreviations_do_not_end_sentences():
    result = extract_claims(
        [TextBlock("Some inputs, e.g. the job ID, are not part of the key.", 1, 1, "docstring")],
        PARAMS,
    )
    assert [(c.params, c.column) for c in result] == [(("job_id",), 1)]


def test_crlf_docstring_lines():
    doc = "Summary.\r\n\r\nThe job ID is not\r\npart of the key.\r\n"
    result = extract_claims([TextBlock(doc, 4, 5, "docstring")], PARAMS)
    assert [(c.line, c.column, c.text) for c in result] == [
        (6, 1, "The job ID is not part of the key.")
    ]


def test_claims_are_sorted_by_position_across_blocks():
    blocks = [
        TextBlock(" the mode is part of the key", 20, 5, "comment"),
        TextBlock("The job ID is not part of the key.", 2, 8, "docstring"),
    ]
    assert [c.line for c in extract_claims(blocks, PARAMS)] == [2, 20]


def test_claim_is_frozen_dataclass():
    claim = extract_claims([TextBlock("Keyed on path.", 1, 1, "docstring")], PARAMS)[0]
    assert claim == Claim("keyed_only", ("path",), None, 1, 1, "Keyed on path.")
    with pytest.raises(Exception):
        claim.kind = "keyed"  # type: ignore[misc]


# --------------------------------------------------------------------------- map_phrase

MAPPINGS = [
    ("the job ID", ["job_id"], ["job_id"]),
    ("job id", ["job_id"], ["job_id"]),
    ("job-id", ["job_id"], ["job_id"]),
    ("jobId", ["job_id"], ["job_id"]),
    ("JOB_ID", ["job_id"], ["job_id"]),
    ("the job ID", ["jobId"], ["jobId"]),
    ("the job id", ["jobid"], ["jobid"]),
    ("``request_id``", ["request_id"], ["request_id"]),
    ("`request_id`", ["request_id", "request"], ["request_id"]),
    ("the source bytes", ["_source_bytes"], ["_source_bytes"]),
    ("the source bytes", ["source_bytes"], ["source_bytes"]),
    ("the colors", ["colors"], ["colors"]),
    ("the color", ["colors"], ["colors"]),
    ("timestamps", ["timestamp"], ["timestamp"]),
    ("the caches", ["cache"], ["cache"]),
    ("the logger", ["logger", "log"], ["logger"]),
    ("the output path", ["out_path"], ["out_path"]),
    ("the output path", ["output_path"], ["output_path"]),
    ("the output path", ["out_path", "output_path"], ["output_path"]),
    ("the output directory", ["out_dir"], ["out_dir"]),
    ("the cache dir", ["cache_directory"], ["cache_directory"]),
    ("the job identifier", ["job_id"], ["job_id"]),
    ("this call's job ID", ["job_id"], ["job_id"]),
    ("the job's id", ["job_id"], ["job_id"]),
    ("its logger", ["logger"], ["logger"]),
    ("the `job_id` argument", ["job_id"], ["job_id"]),
    ("the job_id passed by the scheduler", ["job_id"], ["job_id"]),
    ("the path and the mode", ["path", "mode"], ["path", "mode"]),
    ("neither job_id nor run_id", ["job_id", "run_id"], ["job_id", "run_id"]),
    ("path, mode, and mtime", ["mtime", "mode", "path"], ["path", "mode", "mtime"]),
    ("**kwargs", ["kwargs"], ["kwargs"]),
    ("the arguments", ["path", "mode"], []),
    ("the cache key", ["path", "key"], []),
    ("the job", ["job_id"], []),
    ("the output", ["out_path"], []),
    ("the path", ["out_path"], []),
    ("", ["path"], []),
    ("the job ID", [], []),
]


@pytest.mark.parametrize("phrase, params, expected", MAPPINGS)
def test_map_phrase(phrase, params, expected):
    assert map_phrase(phrase, params) == expected


def test_map_phrase_ignores_non_string_params():
    assert map_phrase("the path", ["path", None, 3, ""]) == ["path"]


# --------------------------------------------------------------------------- robustness

def _random_text(rnd, n):
    vocabulary = (
        "the job ID is not part of cache key keyed on and only shared across jobs runs , . ; : "
        "` `` are never excluded from ignored by path logger per hash hashed into includes "
        "except but rather than ( ) Args: - * >>> :: ``` \n \n\n \u00e9t\u00e9 \u2014 \U0001f600"
    ).split(" ")
    return " ".join(rnd.choice(vocabulary) for _ in range(n))


def test_random_text_never_raises():
    rnd = random.Random(1234)
    for _ in range(200):
        text = _random_text(rnd, rnd.randrange(0, 80))
        kind = rnd.choice(["docstring", "comment"])
        result = extract_claims(
            [TextBlock(text, rnd.randrange(1, 50), rnd.randrange(1, 20), kind)], PARAMS
        )
        for claim in result:
            assert claim.kind in claims.CLAIM_KINDS
            assert claim.line >= 1 and claim.column >= 1
            assert len(claim.text) <= claims.MAX_SENTENCE
            if claim.kind != "shared":
                assert claim.params and set(claim.params) <= set(PARAMS)


def test_random_characters_never_raise_even_without_the_safety_net():
    rnd = random.Random(99)
    index = claims._ParamIndex(PARAMS)
    for _ in range(100):
        text = "".join(chr(rnd.randrange(0, 0x2FFF)) for _ in range(rnd.randrange(0, 300)))
        for unit in claims._build_units([TextBlock(text, 1, 1, "docstring")]):
            claims._unit_claims(unit, index)
        map_phrase(text, PARAMS)


@pytest.mark.parametrize(
    "text",
    [
        "The job ID is not part of the key. " * 30000,
        "key " * 250000,
        "part of the key " * 60000,
        "cache" * 200000,
        "job_id, " * 120000 + "are not part of the key",
        "x" * 1_000_000,
        "\n" * 1_000_000,
        "job_id: x\n" * 100000,
    ],
    ids=["claims", "key", "part", "cachecache", "commas", "one-token", "newlines", "entries"],
)
def test_one_megabyte_of_text_completes(text):
    extract_claims([TextBlock(text, 1, 1, "docstring")], PARAMS)


def test_many_comment_lines_complete():
    blocks = [TextBlock(" job_id: not part of the key", n, 5, "comment") for n in range(1, 20001)]
    assert len(extract_claims(blocks, PARAMS)) == 20000


def test_long_sentences_are_split():
    text = "the logger " + "and the logger " * 200 + "is not part of the key."
    for claim in extract_claims([TextBlock(text, 1, 1, "docstring")], PARAMS):
        assert len(claim.text) <= claims.MAX_SENTENCE


@pytest.mark.parametrize(
    "blocks",
    [
        [],
        [TextBlock("", 1, 1, "docstring")],
        [TextBlock(None, 1, 1, "docstring")],  # type: ignore[arg-type]
        [TextBlock("job_id is not part of the key", 0, 0, "comment")],
        [TextBlock("job_id is not part of the key", "x", None, "weird")],  # type: ignore[arg-type]
        [object()],
    ],
)
def test_malformed_blocks_do_not_raise(blocks):
    extract_claims(blocks, PARAMS)


def test_malformed_params_do_not_raise():
    assert extract_claims([TextBlock("job_id is not part of the key", 1, 1, "comment")],
                          [None, 3, "", "job_id"]) != []
    assert extract_claims([TextBlock("x", 1, 1, "comment")], None) == []


# --------------------------------------------------------------------------- hygiene

def test_public_api_is_documented():
    for name in claims.__all__:
        obj = getattr(claims, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), name

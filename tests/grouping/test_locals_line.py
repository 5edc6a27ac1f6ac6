"""The `locals` crash-line shape (grouping.clean.locals_line): a release that renames a local
reads alike, while twin faults of one function that read another field or key stay apart, and
what is inside a string literal is never taken for a name or a comment."""

from grouping.clean import frame_line, locals_line, normalized_line


def test_a_renamed_local_reads_alike():
    assert (locals_line("return sa.create_engine(payload)", "python")
            == locals_line("return sa.create_engine(raw)", "python")
            == "return x.create_engine(x)")
    assert locals_line("total = order.amount / count") == locals_line("t = o.amount / n")


def test_twins_reading_another_key_stay_apart_where_normalized_joins_them():
    name, email = 'name = data["name"]', 'email = data["email"]'
    assert normalized_line(name, "python") == normalized_line(email, "python")
    assert locals_line(name, "python") == 'x = x["name"]'
    assert locals_line(email, "python") == 'x = x["email"]'


def test_calls_attributes_and_keywords_stay():
    assert locals_line("if not self.items or len(rows) > 3:", "python") == (
        "if not self.items or len(x) > <int>:")


def test_comments_go_but_literals_keep_what_looks_like_one():
    assert locals_line('value = fetch("a # b")  # why', "python") == 'x = fetch("a # b")'
    assert locals_line("const n = a // b", "javascript") == "const x = x"
    assert locals_line("n = a // b", "python") == "x = x // x"  # Python's floor division


def test_a_frame_line_in_the_locals_shape():
    frame = {"function": "connect_warehouse", "module": "reportsdb.writes",
             "context_line": "    return sa.create_engine(payload)", "in_app": True}
    assert frame_line(frame, line="locals", family="python").endswith(
        ": return x.create_engine(x)")


def test_a_long_literal_and_one_the_cut_leaves_open_keep_their_words():
    long = ('raise ValueError("Unable to parse the configuration file for the tenant because '
            'the value is not valid")')
    other = ('raise ValueError("Unable to load the invoice totals for the tenant because '
             'the value is not valid")')
    assert locals_line(long, "python") != locals_line(other, "python")
    assert locals_line(long, "python").startswith('raise ValueError("Unable to parse the')
    open_at_cut = 'log.warning("tenant # %s has no plan'  # the line was cut inside the literal
    assert locals_line(open_at_cut, "python") == 'x.warning("tenant # %s has no plan'
    assert locals_line("x = 'don\\'t' + name", "python") == "x = 'don\\'t' + x"


def test_a_hostile_line_is_cut_before_any_pattern_reads_it():
    from monitor.limits import EMBED_CONTEXT_CHARS

    for line in ("'" + "a\\" * 1_000_000, "x = " + "(" * 1_000_000, "#" * 1_000_000):
        assert len(locals_line(line, "python")) <= EMBED_CONTEXT_CHARS

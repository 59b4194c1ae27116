from validation import clean

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
HEART = "\u2764\ufe0f"  # heart + variation selector 16
FLAG = "\U0001f1e9\U0001f1ea"


def test_control_characters_go_but_line_breaks_and_tabs_stay():
    raw = "First\x00 para\x07graph.\r\n\r\nSecond\tline\x1b.\rThird\x7f\x85"
    assert clean.text(raw) == "First paragraph.\n\nSecond\tline.\nThird"


def test_lone_surrogates_and_xml_noncharacters_are_dropped():
    assert clean.text("a\ud800b\udfffc\ufffed\uffff") == "abcd"


def test_quotes_accents_and_emoji_stay_exactly():
    raw = f"\u201cCaf\u00e9\u201d \u2014 it\u2019s \u00bfqu\u00e9? {FAMILY} {HEART} {FLAG} e\u0301"
    assert clean.text(raw) == raw
    assert clean.line(raw) == raw


def test_format_characters_are_not_stripped():
    raw = "a\u200db\u200cc\ufe0fd\u2060e\u200ef"
    assert clean.line(raw) == raw


def test_ends_are_trimmed_inner_whitespace_kept():
    assert clean.text("  \n a  b \n\n c \n ") == "a  b \n\n c"


def test_single_line_values_turn_breaks_into_spaces():
    assert clean.line("A\r\nB\tC\n\nD") == "A B C D"


def test_cap_cuts_long_values():
    assert clean.text("x" * 100_000) == "x" * clean.SUMMARY_MAX
    assert clean.line("y" * 100_000) == "y" * clean.NAME_MAX


def test_cap_never_splits_a_zwj_sequence():
    value = "a" * 250 + FAMILY + "b" * 10  # the family spans positions 250..254
    capped = clean.cap(value, 253)
    assert capped == "a" * 250
    assert clean.cap(value, 255) == "a" * 250 + FAMILY


def test_cap_keeps_variation_selectors_and_combining_marks_with_their_base():
    assert clean.cap("ab" + HEART, 3) == "ab"
    assert clean.cap("abe\u0301", 3) == "ab"
    assert clean.cap("ab" + FLAG, 3) == "ab"


def test_cap_falls_back_to_a_hard_cut_on_endless_sequences():
    value = "a" + "\u0301" * 100
    assert clean.cap(value, 50) == value[:50]


def test_cap_trims_whitespace_left_at_the_cut():
    assert clean.cap("abc   def", 5) == "abc"


def test_names_dedupe_case_insensitively_keeping_first_spelling_and_order():
    raw = ["Blonde", " blonde ", "", "  ", "Outdoor", "BLONDE", "\x00", "Stra\u00dfe", "STRASSE"]
    assert clean.names(raw) == ["Blonde", "Outdoor", "Stra\u00dfe"]


def test_fold_ignores_case_and_unicode_normal_form():
    assert clean.fold("Caf\u00e9") == clean.fold("CAFE\u0301")


def test_has_controls_ignores_line_break_styles():
    assert not clean.has_controls("a\r\nb\rc\td")
    assert clean.has_controls("a\x00")

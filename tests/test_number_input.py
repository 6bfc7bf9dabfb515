"""The one reading of the numbers users type: shares (each command its own range) and counts."""

import argparse
import math

import pytest

from jobcrawler import number_input


@pytest.mark.parametrize("value, at_most, read", [
    ("0.9", math.inf, 0.9), (0.95, math.inf, 0.95), ("1.5", math.inf, 1.5), ("0", 1.0, 0.0), ("1", 1.0, 1.0),
    ("1.5", 1.0, None), ("-0.1", math.inf, None), ("nan", math.inf, None), ("half", math.inf, None), (None, 1.0, None),
])
def test_a_share_is_a_number_from_0_to_the_commands_limit(value, at_most, read):
    if read is None:
        with pytest.raises(ValueError):
            number_input.share(value, at_most)
    else:
        assert number_input.share(value, at_most) == read and isinstance(number_input.share(value, at_most), float)


def test_an_option_names_what_it_wants():
    with pytest.raises(argparse.ArgumentTypeError, match=r"^not a confidence between 0 and 1: '2'$"):
        number_input.share_option(1.0, "a confidence between 0 and 1")("2")
    with pytest.raises(argparse.ArgumentTypeError, match=r"^not a positive whole number: '0'$"):
        number_input.positive_whole("0")
    assert number_input.positive_whole("3") == 3


@pytest.mark.parametrize("value, read", [("2", 2.0), ("0.5", 0.5), ("0", None), ("-5", None), ("nan", None), ("inf", None), ("soon", None)])
def test_a_wait_is_seconds_above_0(value, read):
    if read is None:
        with pytest.raises(argparse.ArgumentTypeError, match=r"^not a number of seconds above 0: "):
            number_input.positive_seconds(value)
    else:
        assert number_input.positive_seconds(value) == read


@pytest.mark.parametrize("value, free_one, read", [
    ("8001", False, 8001), ("1", False, 1), ("65535", False, 65535), ("0", True, 0),
    ("0", False, None), ("65536", False, None), ("99999", True, None), ("-1", True, None), ("http", False, None),
])
def test_a_port_is_1_to_65535_or_0_where_the_system_picks_one(value, free_one, read):
    if read is None:
        with pytest.raises(argparse.ArgumentTypeError, match=rf"^not a port number \({int(not free_one)} to 65535\): "):
            number_input.port_option(free_one)(value)
    else:
        assert number_input.port_option(free_one)(value) == read

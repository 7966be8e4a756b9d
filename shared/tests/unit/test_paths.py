"""liandong.paths: a segment that is, or decodes (any number of times) to, a dot segment or hides a separator."""
import pytest

from liandong.paths import UnsafePath, check_path, unsafe_segment


@pytest.mark.parametrize("path", ["/api/v1/petition/..", "/a/./b", "/a/%2e%2e/b", "/a/%252e%252e/b", "/a/%2E%2e",
                                  "/a/%25252e%25252E/b", "/a/.%2e/b", "/a/b%2fc", "/a/b%252Fc", "/a/b%5cc", "/a/..\\b",
                                  "/a/%" + "25" * 12 + "2e"])  # nested past any sane count
def test_refused(path):
    assert unsafe_segment(path) is not None
    with pytest.raises(UnsafePath):
        check_path(path)


@pytest.mark.parametrize("path", ["/api/v1/petition/petitions", "/a/b.c/d", "/a/...", "/a/%20b", "/a/%E5%AE%B6",
                                  "/a/x..y", "/", ""])
def test_allowed(path):
    assert unsafe_segment(path) is None
    check_path(path)

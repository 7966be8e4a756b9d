"""The file store port (liandong.attachments.FileStore), one contract for both adapters: the local directory
(the embedded default) and the S3-compatible store, against the real server `make test` starts (S3_ENDPOINT)."""
from __future__ import annotations

import pytest

from liandong.attachments import LocalStore, store_for
from liandong.attachments_s3 import S3Store
from liandong.attachments_testing import s3_endpoint, s3_env  # noqa: F401

KEY = "petitions/p-1/a-1"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "attachments" / "petition")
    env = request.getfixturevalue("s3_env")
    return store_for("petition", tmp_path, env)


def test_a_file_comes_back_as_it_was_put_and_goes_when_deleted(store):
    data = bytes(range(256)) * 400  # binary, 100 KB
    store.put(KEY, data, "image/jpeg")
    store.put(KEY + ".thumb", b"small", "image/jpeg")
    assert store.get(KEY) == data and store.get(KEY + ".thumb") == b"small"
    store.put(KEY, b"again", "image/jpeg")  # a retried upload writes the same key whole
    assert store.get(KEY) == b"again"
    store.delete(KEY)
    with pytest.raises(KeyError):
        store.get(KEY)
    store.delete(KEY)  # deleting what is not there is not an error
    assert store.get(KEY + ".thumb") == b"small"


def test_a_missing_file_is_a_key_error(store):
    with pytest.raises(KeyError):
        store.get("petitions/none/none")


def test_keys_that_could_leave_the_services_place_are_refused(store):
    for key in ("../petition-other/x", "/abs", "a/../../b"):
        with pytest.raises(ValueError):
            store.put(key, b"x", "text/plain")


def test_each_service_has_its_own_prefix_in_one_bucket(s3_env, tmp_path):
    petition, welfare = store_for("petition", tmp_path, s3_env), store_for("welfare", tmp_path, s3_env)
    assert isinstance(petition, S3Store) and petition.bucket == welfare.bucket
    petition.put(KEY, b"petition's", "application/pdf")
    with pytest.raises(KeyError):
        welfare.get(KEY)
    listed = petition.client.list_objects_v2(Bucket=petition.bucket)["Contents"]
    assert [o["Key"] for o in listed] == ["petition/" + KEY]


def test_wrong_credentials_are_refused_by_the_server(s3_env, tmp_path):
    """The server checks the signature: a district's bucket is not open to whoever knows its address."""
    from botocore.exceptions import ClientError

    good = store_for("petition", tmp_path, s3_env)
    good.put(KEY, b"x", "text/plain")
    bad = store_for("petition", tmp_path, {**s3_env, "LIANDONG_S3_SECRET_KEY": "wrong",
                                            "LIANDONG_S3_CREATE_BUCKET": ""})
    with pytest.raises(ClientError):
        bad.get(KEY)


def test_the_embedded_default_is_the_local_store_under_the_data_dir(tmp_path):
    store = store_for("petition", tmp_path, {})
    assert isinstance(store, LocalStore) and store.root == tmp_path / "attachments" / "petition"
    with pytest.raises(ValueError):
        store_for("petition", tmp_path, {"LIANDONG_ATTACHMENTS_STORE": "ftp"})
    with pytest.raises(ValueError, match="LIANDONG_S3_ENDPOINT"):
        store_for("petition", tmp_path, {"LIANDONG_ATTACHMENTS_STORE": "s3"})

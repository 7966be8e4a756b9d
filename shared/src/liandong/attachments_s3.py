"""The S3-compatible adapter of `liandong.attachments.FileStore`: a district's object storage (its own SeaweedFS,
MinIO, Ceph RGW, or a cloud's OSS/COS/OBS in S3 mode), one bucket, each service under its own prefix.

The client is boto3 (botocore): the reference implementation of S3's signing (SigV4), addressing and error codes,
against which every S3-compatible server is tested by its makers, so the same code talks to whichever the
district runs. Imported only when `LIANDONG_ATTACHMENTS_STORE=s3`: the embedded default never loads it.
"""
from __future__ import annotations

from dataclasses import dataclass

from .attachments_store import check_key


@dataclass
class S3Store:
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    prefix: str = ""
    create_bucket: bool = False  # tests and a fresh demo make theirs; a district provisions its bucket

    def __post_init__(self):
        import boto3
        from botocore.config import Config

        self.client = boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.region,
            # path-style: S3-compatible servers on one host name (no per-bucket DNS); a few retries, short waits
            # checksums only where S3 requires them: botocore's default (CRC32 trailers, aws-chunked bodies since
            # 1.36) is refused as NotImplemented by S3-compatible servers that predate it
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", connect_timeout=5,
                          read_timeout=30, retries={"max_attempts": 3, "mode": "standard"},
                          request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"))
        if self.create_bucket:
            self.ensure_bucket()

    @classmethod
    def from_env(cls, env, prefix: str = "") -> "S3Store":
        missing = [n for n in ("LIANDONG_S3_ENDPOINT", "LIANDONG_S3_BUCKET", "LIANDONG_S3_ACCESS_KEY",
                               "LIANDONG_S3_SECRET_KEY") if not env.get(n)]
        if missing:
            raise ValueError(f"LIANDONG_ATTACHMENTS_STORE=s3 needs {', '.join(missing)}")
        return cls(env["LIANDONG_S3_ENDPOINT"], env["LIANDONG_S3_BUCKET"], env["LIANDONG_S3_ACCESS_KEY"],
                   env["LIANDONG_S3_SECRET_KEY"], env.get("LIANDONG_S3_REGION") or "us-east-1", prefix,
                   env.get("LIANDONG_S3_CREATE_BUCKET", "") in ("1", "true", "yes"))

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except ClientError as exc:  # made meanwhile by another service's process
                if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise KeyError(key) from None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

"""Media on an S3 API and the cache in Redis: against real services on loopback."""

import io
import os
import pickle
import urllib.request

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from PIL import Image as PILImage


def png_bytes(width=640, height=480):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def s3_media(s3_server, settings):
    """Point Django's default storage at a fresh bucket on the moto server, as production settings would."""
    import json
    import uuid

    import boto3

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    # Media is public: readers fetch images straight from the bucket (or the CDN in front of it).
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read))
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = s3_server
    settings.AWS_S3_REGION_NAME = "eu-central-1"
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.AWS_ACCESS_KEY_ID = "testing"
    settings.AWS_SECRET_ACCESS_KEY = "testing"
    settings.AWS_QUERYSTRING_AUTH = False
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    return bucket


@pytest.mark.s3
@pytest.mark.django_db
def test_uploaded_image_and_its_rendition_are_served_from_s3(s3_media, s3_server):
    from wagtail.images import get_image_model

    image = get_image_model().objects.create(
        title="Workshop", file=ImageFile(io.BytesIO(png_bytes()), name="workshop.png")
    )
    rendition = image.get_rendition("fill-120x80|format-webp")

    assert rendition.url.startswith(f"{s3_server}/{s3_media}/")
    with urllib.request.urlopen(rendition.url, timeout=10) as response:
        assert response.status == 200
        served = PILImage.open(io.BytesIO(response.read()))
    assert served.format == "WEBP"
    assert served.size == (120, 80)

    with urllib.request.urlopen(image.file.url, timeout=10) as response:
        assert PILImage.open(io.BytesIO(response.read())).size == (640, 480)


@pytest.mark.redis
def test_the_cache_is_kept_in_redis_when_redis_url_is_set():
    import redis

    cache.set("infra-probe", {"served": "from redis"}, 60)

    raw = redis.Redis.from_url(os.environ["REDIS_URL"])
    stored = raw.get(cache.make_key("infra-probe"))
    assert stored is not None
    assert pickle.loads(stored) == {"served": "from redis"}  # noqa: S301 (our own value)
    assert 0 < raw.ttl(cache.make_key("infra-probe")) <= 60


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [
        (None, "django.core.cache.backends.db.DatabaseCache"),
        ("redis://127.0.0.1:6379/3", "config.resilient_cache.ResilientRedisCache"),
    ],
)
def test_production_workers_share_one_cache(redis_url, backend):
    """Without Redis every worker must still see the same cache, so production falls back to the database."""
    from tests.infra.test_security import manage

    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = manage("shell", "-c", code, REDIS_URL=redis_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == backend

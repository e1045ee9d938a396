"""HTTP caching of the map layers, as a map server does it: ETag, 304, and a server-side cache.

A layer's answer is a function of the data version (apps.areas.layerversion)
and of the request's URL in canonical form. Both go into the ETag, so a client
revalidating with If-None-Match gets a 304 after one tiny query, without the
layer query; and into the key of the rendered body in Django's cache (locmem
per process by default, Redis when CACHE_URL says so), so a second client
asking the same gets the bytes without the layer query either. Nothing is ever
invalidated: a new version makes new keys, old entries age out.
`Cache-Control: private, max-age=0, must-revalidate`: browsers keep the body
but ask every time (an edit shows at once); shared proxies keep nothing (the
layers are for logged-in staff only).
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from apps.areas.layerversion import current_layer_version

logger = logging.getLogger(__name__)


def cached_response(request, identity, render, *, content_type):
    """The 304, the cached body, or `render()` (bytes) cached, for the resource named `identity`.

    `identity` must name the answer completely (absolute URL with the canonical
    query): different answers never share a key.
    """
    version = current_layer_version()
    digest = hashlib.blake2b(identity.encode("utf-8"), digest_size=12).hexdigest()
    etag = f'"{version}-{digest}"'
    response = HttpResponse(content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    conditional = get_conditional_response(request, etag=etag, response=response)
    if conditional is not response:
        return conditional  # 304 (with the ETag and Cache-Control above), or 412 for If-Match
    key = f"gridgov:layer:{version}:{digest}"
    body = _cache_get(key)
    if body is None:
        body = render()
        _cache_set(key, body)
    response.content = body
    return response


def _cache_get(key):
    if not settings.GRIDGOV_LAYER_CACHE_SECONDS:
        return None
    try:
        return cache.get(key)
    except Exception:  # a cache outage (Redis down) must not take the map down with it
        logger.warning("layer cache unavailable, serving uncached", exc_info=True)
        return None


def _cache_set(key, body):
    if not settings.GRIDGOV_LAYER_CACHE_SECONDS:
        return
    try:
        cache.set(key, body, settings.GRIDGOV_LAYER_CACHE_SECONDS)
    except Exception:
        logger.warning("layer cache unavailable, body not stored", exc_info=True)

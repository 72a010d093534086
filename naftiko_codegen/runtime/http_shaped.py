"""REST answers built in the declared output shape from the decoded upstream answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse, Response

from .decoders import Decoder, decode_json
from .exchange import UpstreamResponse
from .http_app import passthrough, problem_response


def shaped(
    upstream: UpstreamResponse,
    shape: Callable[[Any], Any],
    decode: Decoder = decode_json,
) -> Response:
    """The declared output built from the decoded answer (upstream errors pass through)."""
    if upstream.is_error:
        return passthrough(upstream)
    try:
        data = decode(upstream)
    except ValueError as error:
        return problem_response(
            502,
            "Upstream answer not decodable",
            f"the upstream answered {upstream.content_type or 'without a content type'}, "
            f"which cannot be mapped to the declared output ({error})",
            upstream=f"{upstream.namespace}.{upstream.operation}",
        )
    return JSONResponse(shape(data), status_code=upstream.status)

"""The SCIM 2.0 endpoints (RFC 7644) under /scim/v2: discovery, Users, Groups, search.

Every answer is ``application/scim+json``; every failure is a SCIM Error body (``status`` as a
string, ``scimType`` where RFC 7644 §3.12 defines one), including 401, 404 for unknown paths and
405 for methods an endpoint does not take. SCIM is off until ``KAIROS_SCIM__TOKEN`` is set: until
then every path answers 404 saying so.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from pydantic_core import from_json
from scim2_models import (
    Context,
    Error,
    ForbiddenException,
    InvalidSyntaxException,
    ListResponse,
    Meta,
    NotFoundException,
    PayloadTooLargeException,
    Resource,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    UnauthorizedException,
)
from starlette.concurrency import run_in_threadpool

from kairos.api.deps import Services, services
from kairos.api.scim.models import GROUP_TYPE, MEDIA_TYPE, USER_TYPE, schemas, service_provider_config
from kairos.api.scim.service import Call, ScimService, matches, of, validation_error
from kairos.errors import InputError

PREFIX = "/scim/v2"
MAX_BODY_BYTES = 2 * 1024 * 1024
_KINDS = {"Users": "User", "Groups": "Group"}
_SEARCH_PARAMETERS = {
    name.lower(): name
    for name in ("filter", "sortBy", "sortOrder", "startIndex", "count", "attributes", "excludedAttributes")
}
log = logging.getLogger(__name__)


class MethodNotAllowedException(SCIMException):
    status = 405
    _default_detail = "This endpoint does not support this method"


class UnsupportedMediaTypeException(SCIMException):
    status = 415
    _default_detail = "The body must be JSON (application/scim+json or application/json)"


class InternalErrorException(SCIMException):
    status = 500
    _default_detail = "Kairos failed to answer this request; the server log has the details"


def scim_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    return Response(content=content, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def error_response(exc: SCIMException, headers: dict[str, str] | None = None) -> Response:
    error = exc.to_error()
    status = error.status or exc.status
    body = Error(status=status, scim_type=error.scim_type, detail=error.detail).model_dump(scim_ctx=Context.DEFAULT)
    return scim_json(body, status, headers)


class ScimRoute(APIRoute):
    """A route whose every failure, from authentication to a bug, is answered with a SCIM Error body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except UnauthorizedException as exc:
                return error_response(exc, {"WWW-Authenticate": 'Bearer realm="kairos-scim"'})
            except MethodNotAllowedException as exc:
                return error_response(exc, {"Allow": exc.context.get("allow", "GET")})
            except SCIMException as exc:
                return error_response(exc)
            except ValidationError as exc:
                return error_response(validation_error(exc))
            except InputError as exc:
                return error_response(
                    SCIMException.from_error(Error(status=400, scim_type="invalidValue", detail=str(exc)))
                )
            except Exception:
                log.exception("SCIM %s %s failed", request.method, request.url.path)
                return error_response(InternalErrorException())

        return scim_handler


def authorize(request: Request, svc: Services = Depends(services)) -> None:  # noqa: B008 - FastAPI's idiom
    token = svc.settings.scim.token
    if token is None or not token.get_secret_value():
        raise NotFoundException(
            detail="SCIM provisioning is disabled on this Kairos: set KAIROS_SCIM__TOKEN to enable it"
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode()):
        raise UnauthorizedException(detail="a valid bearer token is required (Authorization: Bearer <token>)")


router = APIRouter(prefix=PREFIX, route_class=ScimRoute, dependencies=[Depends(authorize)], tags=["scim"])


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def _service(request: Request, svc: Services) -> ScimService:
    return ScimService(svc, Call(request.method, request.url.path, _root(request)))


def _query(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.query_params.items()}


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLargeException(detail=f"the body is larger than {MAX_BODY_BYTES} bytes")
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media and media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaTypeException()
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLargeException(detail=f"the body is larger than {MAX_BODY_BYTES} bytes")
    return body


def _resource_response(
    service: ScimService,
    resource: Resource[Any],
    parameters: ResponseParameters[Any],
    context: Context,
    status: int = 200,
) -> Response:
    with service.provider:
        body = resource.model_dump(scim_ctx=context, response_parameters=parameters)
    assert resource.meta is not None and resource.meta.location is not None
    headers = {"ETag": str(resource.meta.version), "Content-Location": resource.meta.location}
    if status == 201:
        headers["Location"] = resource.meta.location
    return scim_json(body, status, headers)


# -- Discovery (RFC 7644 §4) ---------------------------------------------------------------------------


def _no_filter(query: dict[str, str]) -> None:
    if "filter" in query:
        raise ForbiddenException(detail="discovery endpoints cannot be filtered (RFC 7644 §4)")


def _located(resource: Any, kind: str, location: str) -> Any:
    return resource.model_copy(update={"meta": Meta(resource_type=kind, location=location)})


def _listed(resources: list[Any], model: Any) -> dict[str, Any]:
    dumped = [r.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for r in resources]
    listed = of(ListResponse, model)(
        total_results=len(dumped), items_per_page=len(dumped), start_index=1, resources=dumped
    )
    body: dict[str, Any] = listed.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return body


def _resource_types(request: Request) -> list[ResourceType]:
    return [_located(rt, "ResourceType", f"{_root(request)}/ResourceTypes/{rt.id}") for rt in (USER_TYPE, GROUP_TYPE)]


def _schemas(request: Request) -> list[Schema]:
    return [_located(s, "Schema", f"{_root(request)}/Schemas/{s.id}") for s in schemas()]


@router.get("/ServiceProviderConfig")
async def get_service_provider_config(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    _no_filter(_query(request))
    config = _located(
        service_provider_config(svc.settings.scim.max_results),
        "ServiceProviderConfig",
        f"{_root(request)}/ServiceProviderConfig",
    )
    return scim_json(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@router.get("/ResourceTypes")
async def list_resource_types(request: Request) -> Response:
    _no_filter(_query(request))
    return scim_json(_listed(_resource_types(request), ResourceType))


@router.get("/ResourceTypes/{type_id}")
async def get_resource_type(type_id: str, request: Request) -> Response:
    for rt in _resource_types(request):
        if rt.id == type_id:
            return scim_json(rt.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"no resource type {type_id!r}; there are User and Group")


@router.get("/Schemas")
async def list_schemas(request: Request) -> Response:
    _no_filter(_query(request))
    return scim_json(_listed(_schemas(request), Schema))


@router.get("/Schemas/{schema_id}")
async def get_schema(schema_id: str, request: Request) -> Response:
    for schema in _schemas(request):
        if str(schema.id) == schema_id:
            return scim_json(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"no schema {schema_id!r}")


# -- Search (RFC 7644 §3.4.2, §3.4.3) ------------------------------------------------------------------


def _search_parameters(query: dict[str, str]) -> dict[str, Any]:
    return {_SEARCH_PARAMETERS[k]: v for k, v in query.items() if k in _SEARCH_PARAMETERS}


async def _search_body(request: Request) -> dict[str, Any]:
    body = await _body(request)
    try:
        payload = from_json(body) if body.strip() else {}
    except ValueError as exc:
        raise InvalidSyntaxException(detail=f"the body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="the body must be a SearchRequest object")
    return payload


@router.post("/.search")
async def search_everything(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    payload = await _search_body(request)
    service = _service(request, svc)
    return scim_json(await run_in_threadpool(service.search, ["User", "Group"], payload))


def _not_allowed(allow: str) -> Callable[[], Awaitable[Response]]:
    async def not_allowed() -> Response:
        raise MethodNotAllowedException(allow=allow)

    return not_allowed


_OTHER_THAN_GET = ["POST", "PUT", "PATCH", "DELETE"]
for _path in ("/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/{_id}", "/Schemas", "/Schemas/{_id}"):
    router.add_api_route(_path, _not_allowed("GET"), methods=_OTHER_THAN_GET, include_in_schema=False)
router.add_api_route(
    "/.search", _not_allowed("POST"), methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False
)


# -- Users and Groups (RFC 7644 §3.3 - §3.6) -----------------------------------------------------------


def _add_resource_routes(endpoint: str) -> None:
    kind = _KINDS[endpoint]

    async def search_with_body(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
        payload = await _search_body(request)
        service = _service(request, svc)
        return scim_json(await run_in_threadpool(service.search, [kind], payload))

    async def search(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
        service = _service(request, svc)
        return scim_json(await run_in_threadpool(service.search, [kind], _search_parameters(_query(request))))

    async def create(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
        body = await _body(request)
        service = _service(request, svc)
        parameters = service.response_parameters(kind, _query(request))  # refused before anything is written
        created = await run_in_threadpool(service.create, kind, body)
        return _resource_response(service, created, parameters, Context.RESOURCE_CREATION_RESPONSE, 201)

    async def get(resource_id: str, request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
        service = _service(request, svc)
        parameters = service.response_parameters(kind, _query(request))
        found = await run_in_threadpool(service.get, kind, resource_id)
        version = str(found.meta.version if found.meta else "")
        if_none_match = request.headers.get("if-none-match")
        if if_none_match and matches(if_none_match, version):
            return Response(status_code=304, headers={"ETag": version})  # the client's copy is current
        return _resource_response(service, found, parameters, Context.RESOURCE_QUERY_RESPONSE)

    async def replace(resource_id: str, request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
        body = await _body(request)
        service = _service(request, svc)
        parameters = service.response_parameters(kind, _query(request))
        replaced = await run_in_threadpool(service.replace, kind, resource_id, body, request.headers.get("if-match"))
        return _resource_response(service, replaced, parameters, Context.RESOURCE_REPLACEMENT_RESPONSE)

    async def patch(resource_id: str, request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
        body = await _body(request)
        service = _service(request, svc)
        parameters = service.response_parameters(kind, _query(request))
        patched = await run_in_threadpool(service.patch, kind, resource_id, body, request.headers.get("if-match"))
        return _resource_response(service, patched, parameters, Context.RESOURCE_REPLACEMENT_RESPONSE)

    async def delete(resource_id: str, request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
        service = _service(request, svc)
        await run_in_threadpool(service.delete, kind, resource_id, request.headers.get("if-match"))
        return Response(status_code=204)

    base, one = f"/{endpoint}", f"/{endpoint}/{{resource_id}}"
    router.add_api_route(f"{base}/.search", search_with_body, methods=["POST"], name=f"search_{endpoint}_with_body")
    router.add_api_route(
        f"{base}/.search", _not_allowed("POST"), methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    router.add_api_route(base, search, methods=["GET"], name=f"list_{endpoint}")
    router.add_api_route(base, create, methods=["POST"], name=f"create_{kind}", status_code=201)
    router.add_api_route(base, _not_allowed("GET, POST"), methods=["PUT", "PATCH", "DELETE"], include_in_schema=False)
    router.add_api_route(one, get, methods=["GET"], name=f"get_{kind}")
    router.add_api_route(one, replace, methods=["PUT"], name=f"replace_{kind}")
    router.add_api_route(one, patch, methods=["PATCH"], name=f"patch_{kind}")
    router.add_api_route(one, delete, methods=["DELETE"], name=f"delete_{kind}", status_code=204)
    router.add_api_route(one, _not_allowed("GET, PUT, PATCH, DELETE"), methods=["POST"], include_in_schema=False)


_add_resource_routes("Users")
_add_resource_routes("Groups")


@router.api_route(
    "/{unknown:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], include_in_schema=False
)
async def unknown_path(unknown: str) -> Response:
    raise NotFoundException(detail=f"no SCIM endpoint at /{unknown}")

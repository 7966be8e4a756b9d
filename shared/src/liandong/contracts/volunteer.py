"""Events the volunteer service publishes (志愿服务). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate  # noqa: F401

from . import CONTRACTS  # noqa: F401

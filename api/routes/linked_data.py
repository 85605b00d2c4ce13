"""Placeholder: filled by its issue."""

from fastapi import APIRouter

router = APIRouter()

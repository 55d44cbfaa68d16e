"""Prices used for NAT-versus-endpoint estimates: us-east-1, from SEMANTICS.md §7.

Dated secondary sources (2025-11 … 2026-05); confirm with the AWS Price List API before relying on them.
vpcreach never invents a traffic volume: without one it says the cost depends on traffic.
"""

from __future__ import annotations

PRICES_DATE = "2026-05"
PRICES_REGION = "us-east-1"
PRICES_SOURCE = "SEMANTICS.md §7 (cloudburn.io 2026-02; AWS PrivateLink pricing page copy 2026-05)"

NAT_GATEWAY_PER_GB = 0.045
NAT_GATEWAY_PER_HOUR = 0.045
INTERFACE_ENDPOINT_PER_AZ_HOUR = 0.01
INTERFACE_ENDPOINT_PER_GB = 0.01
GATEWAY_ENDPOINT = 0.0
HOURS_PER_MONTH = 730


def nat_processing(gb_per_month: float) -> float:
    return gb_per_month * NAT_GATEWAY_PER_GB


def interface_endpoint(gb_per_month: float, azs: int) -> float:
    return gb_per_month * INTERFACE_ENDPOINT_PER_GB + azs * INTERFACE_ENDPOINT_PER_AZ_HOUR * HOURS_PER_MONTH

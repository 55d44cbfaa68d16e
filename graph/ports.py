"""Default ports of database and cache engines (AWS documentation of RDS, ElastiCache, RDS Proxy).

A fact about AWS, not about a source format: both the CloudFormation and the Terraform parsers read it.
"""

from __future__ import annotations

ENGINE_PORTS = {
    "mysql": 3306,
    "mariadb": 3306,
    "aurora": 3306,
    "aurora-mysql": 3306,
    "postgres": 5432,
    "aurora-postgresql": 5432,
    "oracle": 1521,
    "sqlserver": 1433,
    "redis": 6379,
    "valkey": 6379,
    "memcached": 11211,
    # RDS Proxy engine families
    "MYSQL": 3306,
    "POSTGRESQL": 5432,
    "SQLSERVER": 1433,
}

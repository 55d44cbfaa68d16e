"""IAM facts vpcreach needs offline: actions of common AWS managed policies and of SAM policy templates.

Managed policy contents are abridged to the actions that matter here (which services they let the code
call, and the EC2 network-interface actions); source: the AWS Managed Policy Reference Guide and
aws/serverless-application-model `samtranslator/policy_templates_data/policy_templates.json`, read
2026-11. A policy not listed is treated as unknown for needs, never as "no needs".
"""

from __future__ import annotations

from vpcreach.graph.aws import ENI_ACTIONS, ENI_MANAGED_POLICIES, POLLER_ACTIONS

__all__ = [
    "ENI_ACTIONS",
    "MANAGED_POLICIES",
    "NOT_NEEDS",
    "POLLER_ACTIONS",
    "SAM_POLICY_TEMPLATES",
    "managed_policy_name",
]

_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

MANAGED_POLICIES: dict[str, tuple[str, ...]] = {
    "AWSLambdaBasicExecutionRole": _LOGS,
    "AWSLambdaVPCAccessExecutionRole": (*_LOGS, *ENI_MANAGED_POLICIES["AWSLambdaVPCAccessExecutionRole"]),
    "AWSLambdaENIManagementAccess": ENI_MANAGED_POLICIES["AWSLambdaENIManagementAccess"],
    "AWSLambdaSQSQueueExecutionRole": (*_LOGS, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "AWSLambdaKinesisExecutionRole": (
        *_LOGS,
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
    ),
    "AWSLambdaDynamoDBExecutionRole": (
        *_LOGS,
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ),
    "AWSLambdaMSKExecutionRole": (
        *_LOGS,
        *ENI_MANAGED_POLICIES["AWSLambdaMSKExecutionRole"],
        "kafka:DescribeCluster",
        "kafka:GetBootstrapBrokers",
    ),
    "AWSXRayDaemonWriteAccess": ("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
    "AWSXrayWriteOnlyAccess": ("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
    "CloudWatchLambdaInsightsExecutionRolePolicy": ("logs:CreateLogStream", "logs:PutLogEvents"),
    "AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*"),
    "AmazonS3FullAccess": ("s3:*",),
    "AmazonDynamoDBReadOnlyAccess": ("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"),
    "AmazonDynamoDBFullAccess": ("dynamodb:*",),
    "AmazonSQSFullAccess": ("sqs:*",),
    "AmazonSQSReadOnlyAccess": ("sqs:GetQueueAttributes", "sqs:ListQueues"),
    "AmazonSNSFullAccess": ("sns:*",),
    "AmazonSNSReadOnlyAccess": ("sns:GetTopicAttributes", "sns:List*"),
    "SecretsManagerReadWrite": ("secretsmanager:*",),
    "AmazonSSMReadOnlyAccess": ("ssm:Describe*", "ssm:Get*", "ssm:List*"),
    "AmazonSSMFullAccess": ("ssm:*",),
    "AmazonKinesisFullAccess": ("kinesis:*",),
    "AmazonKinesisReadOnlyAccess": ("kinesis:Get*", "kinesis:List*", "kinesis:Describe*"),
    "AmazonEventBridgeFullAccess": ("events:*",),
    "AWSStepFunctionsFullAccess": ("states:*",),
    "AmazonEC2ContainerRegistryReadOnly": ("ecr:GetAuthorizationToken", "ecr:BatchGetImage"),
    "AWSLambda_FullAccess": ("lambda:*",),
    "AWSLambdaRole": ("lambda:InvokeFunction",),
    "AmazonRDSDataFullAccess": ("rds-data:*", "secretsmanager:GetSecretValue"),
    "CloudWatchFullAccess": ("cloudwatch:*",),
    "AmazonAthenaFullAccess": ("athena:*",),
    "AmazonSESFullAccess": ("ses:*",),
    "AWSKeyManagementServicePowerUser": ("kms:*",),
    "AdministratorAccess": ("*",),
    "PowerUserAccess": ("*",),
    "ReadOnlyAccess": ("*",),
}

SAM_POLICY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "S3ReadPolicy": ("s3:GetObject", "s3:ListBucket"),
    "S3WritePolicy": ("s3:PutObject",),
    "S3CrudPolicy": ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"),
    "S3FullAccessPolicy": ("s3:*",),
    "DynamoDBReadPolicy": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"),
    "DynamoDBWritePolicy": ("dynamodb:PutItem", "dynamodb:UpdateItem"),
    "DynamoDBCrudPolicy": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    "DynamoDBReconfigurePolicy": ("dynamodb:UpdateTable",),
    "DynamoDBStreamReadPolicy": (
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ),
    "SQSSendMessagePolicy": ("sqs:SendMessage",),
    "SQSPollerPolicy": (
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
    ),
    "SNSPublishMessagePolicy": ("sns:Publish",),
    "SNSCrudPolicy": ("sns:CreateTopic", "sns:Publish", "sns:Subscribe"),
    "AWSSecretsManagerGetSecretValuePolicy": ("secretsmanager:GetSecretValue",),
    "AWSSecretsManagerRotationPolicy": ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"),
    "SSMParameterReadPolicy": ("ssm:GetParameter", "ssm:GetParameters"),
    "SSMParameterWithSlashPrefixReadPolicy": ("ssm:GetParameter", "ssm:GetParameters"),
    "KMSDecryptPolicy": ("kms:Decrypt",),
    "KMSEncryptPolicy": ("kms:Encrypt",),
    "KinesisCrudPolicy": ("kinesis:PutRecord", "kinesis:PutRecords", "kinesis:GetRecords"),
    "KinesisStreamReadPolicy": (
        "kinesis:DescribeStream",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
    ),
    "StepFunctionsExecutionPolicy": ("states:StartExecution",),
    "EventBridgePutEventsPolicy": ("events:PutEvents",),
    "LambdaInvokePolicy": ("lambda:InvokeFunction",),
    "CloudWatchPutMetricPolicy": ("cloudwatch:PutMetricData",),
    "SESCrudPolicy": ("ses:SendEmail", "ses:SendRawEmail"),
    "SESSendBouncePolicy": ("ses:SendBounce",),
    "AthenaQueryPolicy": ("athena:StartQueryExecution",),
    "VPCAccessPolicy": ENI_MANAGED_POLICIES["AWSLambdaVPCAccessExecutionRole"],
    "EFSWriteAccessPolicy": ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
    "ElasticsearchHttpPostPolicy": ("es:ESHttpPost", "es:ESHttpPut"),
    "TextractPolicy": ("textract:*",),
    "RekognitionDetectOnlyPolicy": ("rekognition:DetectLabels",),
    "ComprehendBasicAccessPolicy": ("comprehend:DetectSentiment",),
    "FirehoseWritePolicy": ("firehose:PutRecord", "firehose:PutRecordBatch"),
    "AWSAppSyncMutationPolicy": ("appsync:GraphQL",),
    "CloudWatchDescribeAlarmHistoryPolicy": ("cloudwatch:DescribeAlarmHistory",),
    "CostExplorerReadOnlyPolicy": ("ce:GetCostAndUsage",),
}

# Prefixes that are never a need from the function's own network (DESIGN decision 3; SEMANTICS §1).
# elasticfilesystem and s3files client actions mount a file system through a mount target inside the VPC.
NOT_NEEDS = (
    "logs",
    "xray",
    "iam",
    "sts:AssumeRole",
    "rds-db",
    "elasticfilesystem",
    "s3files",
    "kafka-cluster",
    "kafka",
)


def managed_policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]

#!/usr/bin/env python3
"""Asserts what the compiled ARM template of infra/main.bicep declares.

Usage: check_template.py MAIN_JSON [MAIN_PARAMETERS_JSON]

The Bicep compiler proves the template is well formed; this proves it still says what CloneFlow
relies on: identity-only storage, a Flex Consumption .NET 10 app, an RBAC Key Vault with purge
protection, Entra-only Application Insights and the role assignments that replace every key and
connection string. Module deployments (Microsoft.Resources/deployments) carry their own template
in properties.template and are walked recursively. Standard library only.
"""

import json
import re
import sys

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)

ROLE_IDS = {
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
}

STORAGE = "Microsoft.Storage/storageAccounts"
VAULT = "Microsoft.KeyVault/vaults"
APP_INSIGHTS = "Microsoft.Insights/components"

# (role, scope type, who): "app" is the function app's managed identity, "user" the deploying user.
EXPECTED_ROLE_ASSIGNMENTS = [
    ("Storage Blob Data Owner", STORAGE, "app"),
    ("Storage Queue Data Contributor", STORAGE, "app"),
    ("Storage Table Data Contributor", STORAGE, "app"),
    ("Key Vault Secrets User", VAULT, "app"),
    ("Monitoring Metrics Publisher", APP_INSIGHTS, "app"),
    ("Storage Blob Data Owner", STORAGE, "user"),
    ("Storage Queue Data Contributor", STORAGE, "user"),
    ("Storage Table Data Contributor", STORAGE, "user"),
    ("Key Vault Secrets Officer", VAULT, "user"),
]

EXPECTED_APP_SETTINGS = [
    "AzureWebJobsStorage__accountName",
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__queueServiceUri",
    "AzureWebJobsStorage__tableServiceUri",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    "AZURE_CLIENT_ID",
    "CLONEFLOW_TASK_HUB",
    "CLONEFLOW_KEYVAULT_URI",
    "CLONEFLOW_ARTIFACTS_CONTAINER",
    "CLONEFLOW_ARTIFACTS_BLOB_URI",
    "CLONEFLOW_TEAMS_WEBHOOK_SECRET_NAME",
    "CLONEFLOW_MAIL_SENDER",
    "CLONEFLOW_APPROVAL_BASE_URL",
]

EXPECTED_OUTPUTS = [
    "AZURE_LOCATION",
    "AZURE_TENANT_ID",
    "AZURE_RESOURCE_GROUP",
    "AZURE_FUNCTION_APP_NAME",
    "AZURE_KEY_VAULT_NAME",
    "AZURE_KEY_VAULT_ENDPOINT",
    "AZURE_STORAGE_ACCOUNT_NAME",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "SERVICE_FUNCTIONS_NAME",
    "SERVICE_FUNCTIONS_URI",
]

# Anything that would put a key or a connection string with a key into a setting or an output.
SECRET_PATTERNS = ["listKeys(", "listkeys(", "listSecrets(", "AccountKey=", "SharedAccessSignature="]


class Resource:
    """A resource declared by some (possibly nested) template, with that template for lookups."""

    def __init__(self, body, template, path):
        self.body = body
        self.template = template
        self.path = path

    @property
    def type(self):
        return self.body.get("type", "")

    def prop(self, *keys):
        value = self.body.get("properties", {})
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value


def resources_of(template, path="main"):
    """Every resource of a template and of the templates of its module deployments."""
    declared = template.get("resources", [])
    items = declared.items() if isinstance(declared, dict) else enumerate(declared)
    for key, body in items:
        if body.get("existing"):
            continue  # a reference to a resource declared elsewhere, not a declaration
        yield Resource(body, template, f"{path}/{key}")
        if body.get("type") == "Microsoft.Resources/deployments":
            nested = body.get("properties", {}).get("template")
            if nested:
                yield from resources_of(nested, f"{path}/{body.get('name', key)}")


def variable(template, name):
    """A template variable's value, following aliases such as "[variables('$fxv#0')]" (which is
    how the compiler stores loadJsonContent results)."""
    value = template.get("variables", {}).get(name)
    alias = re.fullmatch(r"\[variables\('([^']+)'\)\]", value) if isinstance(value, str) else None
    return variable(template, alias.group(1)) if alias else value


def resolve_variable_members(expression, template):
    """Replaces each variables('x').member in an expression with the member's literal value."""

    def literal(match):
        value = variable(template, match.group(1))
        member = value.get(match.group(2)) if isinstance(value, dict) else None
        return repr(member) if isinstance(member, str) else match.group(0)

    return re.sub(r"variables\('([^']+)'\)\.(\w+)", literal, expression)


def resolve_role_id(expression, template):
    """The role definition GUID an assignment's roleDefinitionId expression names."""
    found = GUID.search(resolve_variable_members(expression, template))
    return found.group(0).lower() if found else None


def scope_type(resource):
    scope = resource.body.get("scope", "")
    found = re.search(r"'(Microsoft\.[A-Za-z]+/[A-Za-z]+)", scope)
    return found.group(1) if found else None


def principal_kind(resource):
    """'app' for the managed identity (principal type fixed to ServicePrincipal), 'user' for the
    deploying principal (id and type from parameters)."""
    principal_id = str(resource.prop("principalId"))
    principal_type = str(resource.prop("principalType"))
    if principal_type == "ServicePrincipal" and "parameters(" not in principal_id:
        return "app"
    if "parameters(" in principal_id:
        return "user"
    return "unknown"


# The azd parameters file maps these template parameters to azd's environment values.
EXPECTED_AZD_PARAMETERS = {
    "environmentName": "${AZURE_ENV_NAME}",
    "location": "${AZURE_LOCATION}",
    "principalId": "${AZURE_PRINCIPAL_ID}",
}


class Checker:
    def __init__(self, template, parameters=None):
        self.template = template
        self.parameters = parameters
        self.resources = list(resources_of(template))
        self.failures = []

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)

    def of_type(self, resource_type):
        return [r for r in self.resources if r.type.lower() == resource_type.lower()]

    def single(self, resource_type):
        found = self.of_type(resource_type)
        self.expect(len(found) >= 1, f"no resource of type {resource_type} is declared")
        return found[0] if found else None

    def check_storage(self):
        storage = self.single(STORAGE)
        if storage:
            for key, wanted in [
                ("allowSharedKeyAccess", False),
                ("allowBlobPublicAccess", False),
                ("supportsHttpsTrafficOnly", True),
                ("minimumTlsVersion", "TLS1_2"),
            ]:
                actual = storage.prop(key)
                self.expect(actual == wanted,
                            f"{STORAGE} ({storage.path}): properties.{key} is {actual!r}, expected {wanted!r}")
        blob = self.single(STORAGE + "/blobServices")
        if blob:
            self.expect(blob.prop("isVersioningEnabled") is True,
                        f"blob service ({blob.path}): blob versioning is not enabled")
            self.expect(blob.prop("deleteRetentionPolicy", "enabled") is True,
                        f"blob service ({blob.path}): blob soft delete is not enabled")
            self.expect(blob.prop("containerDeleteRetentionPolicy", "enabled") is True,
                        f"blob service ({blob.path}): container soft delete is not enabled")
        containers = self.of_type(STORAGE + "/blobServices/containers")
        self.expect(len(containers) >= 2,
                    f"expected a deployment container and the run artifacts container, found {len(containers)} container(s)")
        self.expect("cloneflow-runs" in json.dumps(self.template.get("variables", {})),
                    "the run artifacts container name 'cloneflow-runs' is not defined in main.bicep")
        policies = self.of_type(STORAGE + "/blobServices/containers/immutabilityPolicies")
        self.expect(len(policies) == 1 and "condition" in policies[0].body,
                    "expected one conditional (optional) immutability policy on the artifacts container")
        self.single(STORAGE + "/queueServices")
        self.single(STORAGE + "/tableServices")

    def check_function_app(self):
        plan = self.single("Microsoft.Web/serverfarms")
        if plan:
            sku = plan.body.get("sku", {})
            self.expect(sku.get("name") == "FC1", f"serverfarm ({plan.path}): sku.name is {sku.get('name')!r}, expected 'FC1'")
            self.expect(sku.get("tier") == "FlexConsumption",
                        f"serverfarm ({plan.path}): sku.tier is {sku.get('tier')!r}, expected 'FlexConsumption'")
            self.expect(plan.prop("reserved") is True, f"serverfarm ({plan.path}): properties.reserved (Linux) is not true")
        site = self.single("Microsoft.Web/sites")
        if site:
            self.expect(site.body.get("kind") == "functionapp,linux",
                        f"site ({site.path}): kind is {site.body.get('kind')!r}, expected 'functionapp,linux'")
            runtime = site.prop("functionAppConfig", "runtime") or {}
            self.expect(runtime.get("name") == "dotnet-isolated" and runtime.get("version") == "10.0",
                        f"site ({site.path}): functionAppConfig.runtime is {runtime!r}, expected dotnet-isolated 10.0")
            auth = site.prop("functionAppConfig", "deployment", "storage", "authentication") or {}
            self.expect(auth.get("type") == "UserAssignedIdentity",
                        f"site ({site.path}): deployment storage authentication is {auth.get('type')!r}, expected 'UserAssignedIdentity'")
            scale = site.prop("functionAppConfig", "scaleAndConcurrency") or {}
            for key in ("maximumInstanceCount", "instanceMemoryMB"):
                self.expect(key in scale, f"site ({site.path}): functionAppConfig.scaleAndConcurrency.{key} is missing")
            self.expect(site.prop("httpsOnly") is True, f"site ({site.path}): httpsOnly is not true")
            self.expect(site.prop("siteConfig", "minTlsVersion") == "1.2", f"site ({site.path}): siteConfig.minTlsVersion is not '1.2'")
            self.expect(site.prop("siteConfig", "ftpsState") == "Disabled", f"site ({site.path}): siteConfig.ftpsState is not 'Disabled'")
            self.expect(site.body.get("identity", {}).get("type") == "UserAssigned",
                        f"site ({site.path}): identity type is not 'UserAssigned'")
        settings = [r for r in self.of_type("Microsoft.Web/sites/config") if "appsettings" in str(r.body.get("name"))]
        self.expect(len(settings) == 1, "no Microsoft.Web/sites/config 'appsettings' resource is declared")
        if settings:
            values = settings[0].body.get("properties", {})
            for name in EXPECTED_APP_SETTINGS:
                self.expect(name in values, f"app setting {name} is missing")
            self.expect(values.get("AzureWebJobsStorage__credential") == "managedidentity",
                        "app setting AzureWebJobsStorage__credential is not 'managedidentity'")
            self.expect("Authorization=AAD" in str(values.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")),
                        "app setting APPLICATIONINSIGHTS_AUTHENTICATION_STRING does not use Authorization=AAD")
            self.expect("AzureWebJobsStorage" not in values,
                        "app setting AzureWebJobsStorage (a connection string) is set; use the identity-based settings")
            webhook = str(values.get("CLONEFLOW_TEAMS_WEBHOOK_SECRET_NAME", ""))
            self.expect("://" not in webhook, "app setting CLONEFLOW_TEAMS_WEBHOOK_SECRET_NAME holds a URL, not a secret name")
        # azd finds the app to deploy to by this tag, which main.bicep passes into the module.
        app_modules = [d for d in self.of_type("Microsoft.Resources/deployments")
                       if any(r.type == "Microsoft.Web/sites" for r in resources_of(d.prop("template") or {}))]
        self.expect(any("'azd-service-name', 'functions'" in json.dumps(d.prop("parameters")) for d in app_modules),
                    "the function app module is not given the tag azd-service-name: functions")

    def check_key_vault(self):
        vault = self.single(VAULT)
        if vault:
            for key in ("enableRbacAuthorization", "enablePurgeProtection", "enableSoftDelete"):
                self.expect(vault.prop(key) is True, f"key vault ({vault.path}): properties.{key} is not true")

    def check_monitoring(self):
        self.single("Microsoft.OperationalInsights/workspaces")
        insights = self.single(APP_INSIGHTS)
        if insights:
            self.expect(insights.prop("DisableLocalAuth") is True,
                        f"application insights ({insights.path}): DisableLocalAuth is not true")
            self.expect(bool(insights.prop("WorkspaceResourceId")),
                        f"application insights ({insights.path}): not workspace-based (WorkspaceResourceId missing)")
        self.single("Microsoft.ManagedIdentity/userAssignedIdentities")

    def check_role_assignments(self):
        declared = []
        for assignment in self.of_type("Microsoft.Authorization/roleAssignments"):
            role_id = resolve_role_id(str(assignment.prop("roleDefinitionId")), assignment.template)
            kind = principal_kind(assignment)
            declared.append((role_id, scope_type(assignment), kind))
            self.expect(str(assignment.body.get("name", "")).startswith("[guid("),
                        f"role assignment {assignment.path}: its name is not a guid(...)")
            if kind == "user":
                self.expect("condition" in assignment.body,
                            f"role assignment {assignment.path} for the deploying user is not skipped when principalId is empty")
        for role, scope, who in EXPECTED_ROLE_ASSIGNMENTS:
            wanted = (ROLE_IDS[role], scope, who)
            principal = "the function app identity" if who == "app" else "the deploying user"
            self.expect(wanted in declared,
                        f"missing role assignment: {role} ({ROLE_IDS[role]}) for {principal} on {scope}")

    def check_outputs_and_secrets(self):
        outputs = self.template.get("outputs", {})
        for name in EXPECTED_OUTPUTS:
            self.expect(name in outputs, f"output {name} is missing from main.bicep")
        text = json.dumps(self.template)
        for pattern in SECRET_PATTERNS:
            self.expect(pattern not in text, f"the template contains {pattern!r}: keys must not reach settings or outputs")
        for name, param in self.template.get("parameters", {}).items():
            self.expect(param.get("type", "").lower() not in ("securestring", "secureobject"),
                        f"parameter {name} is a secret: secrets go to Key Vault after deployment, not into parameters")
        self.expect(self.template.get("$schema", "").endswith("subscriptionDeploymentTemplate.json#"),
                    "main.bicep is not a subscription-scope template")
        groups = self.of_type("Microsoft.Resources/resourceGroups")
        self.expect(len(groups) == 1, "main.bicep does not create a resource group")
        if groups:
            name = resolve_variable_members(str(groups[0].body.get("name")), self.template)
            self.expect("'rg-'" in name and "parameters('environmentName')" in name,
                        f"the resource group is not named rg-<environmentName> (name: {name})")

    def check_parameters_file(self):
        if self.parameters is None:
            return
        given = self.parameters.get("parameters", {})
        declared = self.template.get("parameters", {})
        for name in given:
            self.expect(name in declared, f"main.parameters.json sets {name}, which main.bicep does not declare")
        for name, param in declared.items():
            self.expect("defaultValue" in param or name in given,
                        f"main.bicep parameter {name} has no default and main.parameters.json does not set it")
        for name, value in EXPECTED_AZD_PARAMETERS.items():
            actual = given.get(name, {}).get("value")
            self.expect(actual == value, f"main.parameters.json sets {name} to {actual!r}, expected {value!r}")

    def run(self):
        self.check_storage()
        self.check_function_app()
        self.check_key_vault()
        self.check_monitoring()
        self.check_role_assignments()
        self.check_outputs_and_secrets()
        self.check_parameters_file()
        return self.failures


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: check_template.py MAIN_JSON [MAIN_PARAMETERS_JSON]", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        template = json.load(handle)
    parameters = None
    if len(argv) == 3:
        with open(argv[2], encoding="utf-8") as handle:
            parameters = json.load(handle)
    checker = Checker(template, parameters)
    failures = checker.run()
    if failures:
        print(f"check_template: {len(failures)} problem(s) in the compiled template:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print(f"check_template: OK ({len(checker.resources)} resources declared, "
          f"{len(EXPECTED_ROLE_ASSIGNMENTS)} role assignments, {len(EXPECTED_OUTPUTS)} outputs checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

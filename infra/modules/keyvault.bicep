// Key Vault for CloneFlow's secrets (ServiceNow credentials, the approval signing key, the Teams
// webhook URL). Access is by Azure RBAC only; access policies are not used.

@description('Name of the key vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the key vault.')
param location string = resourceGroup().location

@description('Tags applied to the key vault.')
param tags { *: string } = {}

@description('Whether the vault accepts traffic from public networks. Flex Consumption apps without VNet integration need Enabled.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection keeps deleted secrets recoverable for the retention period; it cannot be turned off again.
    enablePurgeProtection: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri

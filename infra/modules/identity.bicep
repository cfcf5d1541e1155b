// The user-assigned managed identity the function app runs as. It is created before the app so
// that its role assignments can exist before the Functions host first starts.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string = resourceGroup().location

@description('Tags applied to the identity.')
param tags { *: string } = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId

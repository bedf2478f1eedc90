module ai-native.local/probe

go 1.25.0

module ai-native.local/images/pause

go 1.22

// (The <object> of another host's PDF is in the markup.)

try {
  importScripts('OTHER/worker-lib.js');
} catch (e) {}
postMessage(self.LIB_OK ? 'yes' : 'no');

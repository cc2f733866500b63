/**
 * Local protocol peers: real servers on real sockets standing in for the push services, FCM, APNs and an
 * SMTP relay, so adapter, end-to-end and crash tests exercise the real clients. Start one CA per test file
 * (`createTestPki`) and hand it to the peers; trust it in-process with `pki.caPem` / `pki.httpsAgent()`,
 * or in a child process with `spawnTrustingTestCa` / `trustingEnv` (NODE_EXTRA_CA_CERTS).
 */
export { createTestPki, LOCAL_HOSTS, spawnTrustingTestCa, trustingEnv } from './tls.ts';
export type { ServerCertificate, TestPki } from './tls.ts';
export { decryptAes128gcm, startPushService } from './push-service.ts';
export type {
  PeerSubscription,
  PushDelivery,
  PushServiceOptions,
  PushServicePeer,
  PushServiceReply,
  PushServiceRequest,
} from './push-service.ts';
export { createApnsKey, startApnsPeer } from './apns-peer.ts';
export type { ApnsKey, ApnsPeer, ApnsPeerOptions, ApnsReply, ApnsRequest } from './apns-peer.ts';
export {
  createServiceAccount,
  FCM_ERRORS,
  FCM_HOST,
  GOOGLE_TOKEN_HOST,
  startFcmPeer,
  writeServiceAccountFile,
} from './fcm-peer.ts';
export type {
  FcmDelivery,
  FcmErrorReply,
  FcmPeer,
  FcmPeerOptions,
  FcmSendRequest,
  ServiceAccount,
} from './fcm-peer.ts';
export { startSmtpPeer } from './smtp-peer.ts';
export type { MimePart, ReceivedMail, SmtpPeer, SmtpPeerOptions, SmtpReply } from './smtp-peer.ts';
export { startHmsPeer, startTestHmsPeer, TEST_HMS_APP } from './hms-peer.ts';
export type { HmsPeer, HmsPeerOptions, HmsRequest, HmsRoom } from './hms-peer.ts';

/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import type { HubChat } from '../chat/chat-types.ts';
import { HubClient } from '../hub-client.ts';
import type { CallParticipant, CallsState } from './call-types.ts';
import { MeshEngine } from './mesh-engine.ts';

/*
 * Two people in one page, each with their own client, call each other through the REAL hub of the test
 * runner: its call routes, its live stream and its mesh relay; media flows over real RTCPeerConnections
 * between Chromium's fake camera and microphone (`--use-fake-device-for-media-stream`).
 *
 * Screen sharing: headless Chromium will not hand out a screen from `getDisplayMedia` without a user
 * gesture, so the teacher's engine is given a `getDisplayMedia` that returns a canvas' `captureStream()`.
 * Everything after the picker (the extra transceiver, the renegotiation, the other side telling the
 * screen from the camera) is the real path.
 */

const HUB = (window as { HUB_TEST_SERVER?: string }).HUB_TEST_SERVER ?? '';

async function devToken(userId: string): Promise<string> {
  const response = await fetch(`${HUB}/v1/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  expect(response.ok, `a dev token for ${userId}`).to.equal(true);
  return ((await response.json()) as { token: string }).token;
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function remote(state: CallsState): CallParticipant | undefined {
  return state.active?.participants.find((participant) => !participant.isLocal);
}

/** Plays a track in a muted <video> (allowed by the autoplay policy) and waits for real frames. */
async function framesOf(track: MediaStreamTrack | null | undefined, what: string): Promise<HTMLVideoElement> {
  expect(track, what).to.be.an.instanceOf(MediaStreamTrack);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track as MediaStreamTrack]);
  document.body.append(video);
  await video.play();
  await until(() => video.videoWidth > 0, `${what} shows frames`);
  return video;
}

/** A "screen" that is a canvas painted a few times a second. */
function canvasScreen(): { getDisplayMedia: () => Promise<MediaStream>; stop: () => void } {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  let frame = 0;
  const timer = setInterval(() => {
    frame += 1;
    context.fillStyle = frame % 2 ? '#1d4ed8' : '#f59e0b';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = '#fff';
    context.fillText(`slide ${frame}`, 20, 40);
  }, 100);
  return {
    getDisplayMedia: async () => canvas.captureStream(10),
    stop: () => clearInterval(timer),
  };
}

describe('a mesh call through the real hub', function () {
  this.timeout(60_000);
  const cleanups: (() => void)[] = [];

  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
    for (const video of document.querySelectorAll('video')) video.remove();
  });

  it('connects a teacher and a student who see, mute, share a screen, and end', async () => {
    const [teacherToken, studentToken] = await Promise.all([devToken('t-ada'), devToken('s-01')]);
    const screen = canvasScreen();
    cleanups.push(screen.stop);
    // The teacher's engine shares the canvas "screen"; the student's is the client's own (loaded lazily).
    const teacherClient = new HubClient({
      server: HUB,
      token: teacherToken,
      createCallEngine: async () => new MeshEngine({ getDisplayMedia: screen.getDisplayMedia }),
    });
    const studentClient = new HubClient({ server: HUB, token: studentToken });
    const teacher = teacherClient.calls;
    const student = studentClient.calls;
    cleanups.push(teacher.connect(), student.connect());
    cleanups.push(() => void teacher.leave().catch(() => undefined));
    cleanups.push(() => void student.leave().catch(() => undefined));

    const { chat } = (await teacherClient.api.createGroupChat({
      name: `Mesh test ${Date.now()}`,
      memberIds: ['s-01'],
    })) as { chat: HubChat };
    await until(() => student.store.get().loaded, 'the student has loaded the live calls');

    // The teacher calls; the student's page rings through the live stream.
    const call = await teacher.start(chat.id);
    expect(teacher.store.get().active?.connection).to.equal('connected');
    await until(
      () => student.store.get().incoming.some((ringing) => ringing.id === call.id),
      'the student is rung',
    );

    // The student accepts; each side receives the other's camera.
    await student.join(call.id);
    await until(
      () => remote(teacher.store.get())?.videoTrack?.readyState === 'live',
      'the teacher gets video',
    );
    await until(
      () => remote(student.store.get())?.videoTrack?.readyState === 'live',
      'the student gets video',
    );
    const teacherSees = remote(teacher.store.get());
    const studentSees = remote(student.store.get());
    expect(teacherSees?.userId).to.equal('s-01');
    expect(studentSees?.userId).to.equal('t-ada');
    expect(studentSees?.role).to.equal('teacher');
    expect(teacherSees?.videoTrack?.kind).to.equal('video');
    expect(teacherSees?.audioTrack?.kind).to.equal('audio');
    await framesOf(teacherSees?.videoTrack, "the student's camera at the teacher's");
    await framesOf(studentSees?.videoTrack, "the teacher's camera at the student's");
    expect(studentSees?.audio, 'the teacher is heard').to.equal(true);

    // The student mutes: the teacher's view shows the mute mark.
    await student.setMicrophone(false);
    expect(student.store.get().active?.media.audio).to.equal(false);
    await until(() => remote(teacher.store.get())?.audio === false, 'the teacher sees the student muted');
    await student.setMicrophone(true);
    await until(() => remote(teacher.store.get())?.audio === true, 'the teacher sees the student unmuted');

    // The teacher shares a screen: a second video track that the student sees as the screen.
    await teacher.setScreenShare(true);
    expect(teacher.store.get().active?.media.screen).to.equal(true);
    await until(
      () => remote(student.store.get())?.screenTrack?.readyState === 'live',
      'the student gets the screen',
    );
    const withScreen = remote(student.store.get());
    expect(withScreen?.screen).to.equal(true);
    expect(withScreen?.screenTrack).not.to.equal(withScreen?.videoTrack, 'the camera stays apart');
    const slides = await framesOf(withScreen?.screenTrack, "the teacher's screen");
    // The canvas is 16:9, the fake camera 4:3 (WebRTC may scale either down under load, never reshape it).
    expect(slides.videoWidth / slides.videoHeight).to.be.closeTo(16 / 9, 0.05);
    await teacher.setScreenShare(false);
    await until(() => remote(student.store.get())?.screen === false, 'the student sees the share stop');
    expect(remote(student.store.get())?.screenTrack).to.equal(null);

    // The teacher ends the call for everyone: the student's call closes.
    await teacher.end();
    expect(teacher.store.get().active?.connection).to.equal('ended');
    await until(() => student.store.get().active?.connection === 'ended', "the student's call ends");
    expect(student.store.get().active?.participants).to.deep.equal([]);
    await until(() => student.store.get().calls[call.id]?.status === 'ended', 'the live event says ended');
  });

  it('a student who joins while the teacher shares a screen gets the camera and the screen', async () => {
    const [teacherToken, studentToken] = await Promise.all([devToken('t-ada'), devToken('s-03')]);
    const screen = canvasScreen();
    cleanups.push(screen.stop);
    const teacherClient = new HubClient({
      server: HUB,
      token: teacherToken,
      createCallEngine: async () => new MeshEngine({ getDisplayMedia: screen.getDisplayMedia }),
    });
    const studentClient = new HubClient({ server: HUB, token: studentToken });
    const teacher = teacherClient.calls;
    const student = studentClient.calls;
    cleanups.push(() => void teacher.end().catch(() => undefined));
    cleanups.push(() => void student.leave().catch(() => undefined));
    const { chat } = await teacherClient.api.createGroupChat({
      name: `Screen first ${Date.now()}`,
      memberIds: ['s-03'],
    });

    const call = await teacher.start(chat.id);
    await teacher.setScreenShare(true);
    await student.join(call.id, { audio: false });

    await until(
      () => remote(student.store.get())?.screenTrack?.readyState === 'live',
      'the student gets the screen',
    );
    await until(
      () => remote(student.store.get())?.videoTrack?.readyState === 'live',
      'the student gets the camera',
    );
    const seen = remote(student.store.get());
    expect(seen?.screen).to.equal(true);
    await framesOf(seen?.screenTrack, "the teacher's screen");
    await framesOf(seen?.videoTrack, "the teacher's camera");
    expect(student.store.get().active?.media).to.deep.equal({ audio: false, video: true, screen: false });
    await until(
      () => remote(teacher.store.get())?.audio === false,
      'the teacher sees the student joined muted',
    );
  });

  it('both share a screen at the same instant: the colliding offers settle and each sees the other’s', async () => {
    const [teacherToken, studentToken] = await Promise.all([devToken('t-ada'), devToken('s-04')]);
    const teacherScreen = canvasScreen();
    const studentScreen = canvasScreen();
    cleanups.push(teacherScreen.stop, studentScreen.stop);
    const teacherClient = new HubClient({
      server: HUB,
      token: teacherToken,
      createCallEngine: async () => new MeshEngine({ getDisplayMedia: teacherScreen.getDisplayMedia }),
    });
    const studentClient = new HubClient({
      server: HUB,
      token: studentToken,
      createCallEngine: async () => new MeshEngine({ getDisplayMedia: studentScreen.getDisplayMedia }),
    });
    const teacher = teacherClient.calls;
    const student = studentClient.calls;
    cleanups.push(() => void teacher.end().catch(() => undefined));
    const { chat } = await teacherClient.api.createGroupChat({
      name: `Glare ${Date.now()}`,
      memberIds: ['s-04'],
    });
    const call = await teacher.start(chat.id);
    await student.join(call.id);
    await until(() => remote(teacher.store.get())?.videoTrack?.readyState === 'live', 'the call is up');
    await until(
      () => remote(student.store.get())?.videoTrack?.readyState === 'live',
      'the call is up both ways',
    );

    await Promise.all([teacher.setScreenShare(true), student.setScreenShare(true)]);

    await until(
      () => remote(teacher.store.get())?.screenTrack?.readyState === 'live',
      "the teacher gets the student's screen",
    );
    await until(
      () => remote(student.store.get())?.screenTrack?.readyState === 'live',
      "the student gets the teacher's screen",
    );
    await framesOf(remote(teacher.store.get())?.screenTrack, "the student's screen");
    await framesOf(remote(student.store.get())?.screenTrack, "the teacher's screen");
    await framesOf(remote(student.store.get())?.videoTrack, "the teacher's camera, still there");
  });

  it('the ring stops when the teacher ends the call, and the call cannot be joined any more', async () => {
    const [teacherToken, studentToken] = await Promise.all([devToken('t-ada'), devToken('s-05')]);
    const teacherClient = new HubClient({ server: HUB, token: teacherToken });
    const studentClient = new HubClient({ server: HUB, token: studentToken });
    const student = studentClient.calls;
    cleanups.push(student.connect());
    const { chat } = await teacherClient.api.createGroupChat({
      name: `Unanswered ${Date.now()}`,
      memberIds: ['s-05'],
    });
    await until(() => student.store.get().loaded, 'the student has loaded the live calls');

    const call = await teacherClient.calls.start(chat.id);
    await until(
      () => student.store.get().incoming.some((ringing) => ringing.id === call.id),
      'the student is rung',
    );
    await teacherClient.calls.end();

    await until(() => student.store.get().incoming.length === 0, 'the ring stops');
    await until(() => student.store.get().calls[call.id]?.status === 'ended', 'the call is known as ended');
    let refused: unknown;
    await student.join(call.id).catch((error: unknown) => (refused = error));
    expect((refused as { code?: string } | undefined)?.code).to.equal('CONFLICT');
    expect(student.store.get().active).to.equal(null);
  });

  it('a student who declined cannot join once the teacher ended the call', async () => {
    const [teacherToken, studentToken] = await Promise.all([devToken('t-ada'), devToken('s-02')]);
    const teacherClient = new HubClient({ server: HUB, token: teacherToken });
    const studentClient = new HubClient({ server: HUB, token: studentToken });
    const { chat } = await teacherClient.api.createGroupChat({
      name: `Declined ${Date.now()}`,
      memberIds: ['s-02'],
    });
    const call = await teacherClient.calls.start(chat.id);
    await studentClient.calls.decline(call.id);
    expect(
      studentClient.calls.store.get().calls[call.id]?.members.find((member) => member.userId === 's-02')
        ?.state,
    ).to.equal('declined');
    await teacherClient.calls.end();

    let refused: unknown;
    await studentClient.calls.join(call.id).catch((error: unknown) => (refused = error));

    expect(refused, 'the join is refused').to.be.an.instanceOf(Error);
    expect((refused as { code?: string }).code).to.equal('CONFLICT');
    expect(studentClient.calls.store.get().active).to.equal(null);
  });
});

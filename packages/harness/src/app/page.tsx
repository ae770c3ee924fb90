import { ChatApp } from '../components/ChatApp';

export default function ChatPage() {
  return <ChatApp />;
}

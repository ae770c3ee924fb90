import { StressApp } from '../../components/StressApp';

export default function StressPage() {
  return <StressApp />;
}
